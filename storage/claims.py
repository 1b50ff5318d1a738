"""Claims: which annotation session is showing which selected example, as a renewable lease.

A session claims the item it shows, so a second annotator is served the next free item
instead of the same one. An overlap item (``double``) is open twice: for its first label,
then for a second label from anyone but the first's author. A claim ends when its example gets an annotation, when the
session claims another item, or when its lease runs out (a closed tab frees its item
after :data:`LEASE_S` seconds).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from storage.base import StoreBase

LEASE_S = 600.0
_ACTIVE = "a.superseded_by IS NULL AND a.undone_at IS NULL"


@dataclass(frozen=True)
class Claim:
    """One live claim: ``session`` (shown to ``annotator``) holds ``example_key``."""

    example_key: int
    round_id: int
    session: str
    annotator: str
    claimed_at: float


class ClaimsMixin(StoreBase):
    """Serving each annotation session its own item."""

    def claim_next(
        self,
        round_id: int,
        keys: Sequence[int],
        *,
        session: str,
        annotator: str,
        now: float | None = None,
        lease_s: float = LEASE_S,
        double: Collection[int] = (),
    ) -> int | None:
        """Claim the item ``session`` should show, in one write transaction.

        The item it already holds (still open to ``annotator``) if any, else the first of
        ``keys`` (the round's selected example keys in rank order) open to ``annotator``
        and without a live claim of another session. Open: no effective first annotation
        (and no second one by ``annotator``); or, for a key of ``double``, a first label by
        someone else and no second annotation yet. The session's other claims end.

        Returns
        -------
        int or None
            The claimed example key; ``None`` when every item is handled or held by others.
        """
        now = time.time() if now is None else now
        with self._write() as db:
            db.execute("DELETE FROM claims WHERE claimed_at < ?", [now - lease_s])
            open_keys = self._open_keys(keys, set(double), annotator)
            owners = {
                row["example_key"]: row["session"]
                for row in self._rows("SELECT example_key, session FROM claims")
            }
            free = [key for key in keys if key in open_keys]
            mine = [key for key in free if owners.get(key) == session]
            others = [key for key in free if owners.get(key, session) == session]
            choice = mine[0] if mine else (others[0] if others else None)
            db.execute(
                "DELETE FROM claims WHERE session = ? AND example_key IS NOT ?", [session, choice]
            )
            if choice is not None:
                db.execute(
                    "INSERT OR REPLACE INTO claims (example_key, round_id, session, annotator,"
                    " claimed_at) VALUES (?, ?, ?, ?, ?)",
                    [choice, round_id, session, annotator, now],
                )
        return choice

    def claim(
        self,
        example_key: int,
        round_id: int,
        *,
        session: str,
        annotator: str,
        now: float | None = None,
        lease_s: float = LEASE_S,
    ) -> bool:
        """Claim one example for ``session`` (after an undo, to show it again).

        Returns ``False`` (and changes nothing) when another session holds a live claim.
        """
        now = time.time() if now is None else now
        with self._write() as db:
            holder = self._live_holder(example_key, now, lease_s)
            if holder is not None and holder.session != session:
                return False
            db.execute("DELETE FROM claims WHERE session = ?", [session])
            db.execute(
                "INSERT OR REPLACE INTO claims (example_key, round_id, session, annotator,"
                " claimed_at) VALUES (?, ?, ?, ?, ?)",
                [example_key, round_id, session, annotator, now],
            )
        return True

    def release_claims(self, session: str) -> None:
        """End every claim of ``session``."""
        with self._write() as db:
            db.execute("DELETE FROM claims WHERE session = ?", [session])

    def live_claims(
        self, round_id: int, *, now: float | None = None, lease_s: float = LEASE_S
    ) -> list[Claim]:
        """The round's claims whose lease has not run out, oldest first."""
        now = time.time() if now is None else now
        rows = self._rows(
            "SELECT * FROM claims WHERE round_id = ? AND claimed_at >= ? ORDER BY claimed_at",
            [round_id, now - lease_s],
        )
        return [_claim(row) for row in rows]

    def _live_holder(self, example_key: int, now: float, lease_s: float) -> Claim | None:
        rows = self._rows(
            "SELECT * FROM claims WHERE example_key = ? AND claimed_at >= ?",
            [example_key, now - lease_s],
        )
        return _claim(rows[0]) if rows else None

    def _open_keys(self, keys: Sequence[int], double: set[int], annotator: str) -> set[int]:
        """The keys ``annotator`` may annotate now (see :meth:`claim_next`)."""
        if not keys:
            return set()
        marks = ", ".join("?" for _ in keys)
        sql = (f"SELECT a.example_key, a.slot, a.annotator, a.kind FROM annotations a"
               f" WHERE a.example_key IN ({marks}) AND a.slot != 'review' AND {_ACTIVE}")  # fmt: skip
        slots: dict[int, dict[str, dict]] = {}
        for row in self._rows(sql, list(keys)):
            slots.setdefault(row["example_key"], {})[row["slot"]] = row
        open_keys = set()
        for key in keys:
            first, second = slots.get(key, {}).get("first"), slots.get(key, {}).get("second")
            if first is None:
                closed = second is not None and second["annotator"] == annotator
            else:
                closed = not (key in double and second is None and first["kind"] == "label")
                closed = closed or first["annotator"] == annotator
            if not closed:
                open_keys.add(key)
        return open_keys


def _claim(row: dict) -> Claim:
    return Claim(
        example_key=row["example_key"],
        round_id=row["round_id"],
        session=row["session"],
        annotator=row["annotator"],
        claimed_at=row["claimed_at"],
    )
