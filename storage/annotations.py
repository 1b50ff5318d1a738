"""Annotations with an audit trail: a correction supersedes the older row, undo restores it.

Each row fills one *slot* of its example: ``first`` (the label), ``second`` (an overlap
item's label from a second annotator) or ``review`` (a reviewer's decision). The effective
annotation of a slot is its row with ``superseded_by IS NULL`` and ``undone_at IS NULL``.
Saving marks the previous effective row of the same slot ``superseded_by = new id``;
undoing marks a row ``undone_at`` and hands its place back to the row it superseded.
Rows are never deleted or overwritten. Which label training uses: :mod:`storage.resolution`.
"""

from __future__ import annotations

import time
from typing import Any

from storage.base import StoreBase
from storage.claims import LEASE_S
from storage.errors import InvalidAnnotationError, ItemTakenError
from storage.examples import check_pool
from storage.records import Annotation, Label, label_from_json, label_to_json
from storage.resolution import Resolution, labels_of, resolve
from storage.rounds import now_iso
from storage.schema import ANNOTATION_KINDS, ANNOTATION_SLOTS
from storage.validation import label_problem

_ACTIVE = "a.superseded_by IS NULL AND a.undone_at IS NULL"


class AnnotationsMixin(StoreBase):
    """Saving, undoing and reading annotations."""

    def save_annotation(
        self,
        example_key: int,
        labels: Label | None,
        *,
        annotator: str,
        kind: str = "label",
        round_id: int | None = None,
        session: str | None = None,
        only_if_unhandled: bool = False,
        active_seconds: float | None = None,
        slot: str = "first",
    ) -> Annotation:
        """Save one annotation durably (committed and fsynced when this returns).

        Parameters
        ----------
        example_key : int
            The example's integer key (:attr:`StoredExample.key`).
        labels : Label or None
            Tags tuple (token task), class name (sequence / pair), ``(start, text)``
            (QA); ``None`` for ``kind`` ``"skip"`` / ``"flag"``.
        annotator : str
            Who labelled it.
        kind : {"label", "skip", "flag"}
        round_id : int, optional
            The round it was labelled in.
        session : str, optional
            The annotation session saving it (the Annotate page of one browser tab): the
            save is refused while another session holds a live claim on the example, and
            ends the example's claim (:mod:`storage.claims`).
        only_if_unhandled : bool
            Refuse when the example already has an effective annotation (an annotator
            acting on an item that someone else handled meanwhile).
        active_seconds : float, optional
            The annotator's active time on the item (>= 0; :mod:`service.team.timing`).
        slot : {"first", "second", "review"}
            Which of the example's annotations this is (module docstring). A ``second``
            needs a first label from someone else; nobody fills both slots of one example.

        Raises
        ------
        InvalidAnnotationError
            Unknown example, kind or slot, labels that do not fit the example / schema, or
            a second label without another annotator's first label.
        ItemTakenError
            With ``only_if_unhandled`` or ``session``: the example was handled, or is
            claimed by another session; nothing was written.
        """
        self._check_annotation(example_key, labels, kind)
        if slot not in ANNOTATION_SLOTS:
            raise InvalidAnnotationError(f"slot {slot!r} is not one of {ANNOTATION_SLOTS}")
        if active_seconds is not None and not active_seconds >= 0:
            raise InvalidAnnotationError(f"active_seconds must be >= 0, got {active_seconds}")
        with self._write() as db:
            effective = self._rows(
                f"SELECT a.id, a.annotator, a.slot, a.kind FROM annotations a"
                f" WHERE a.example_key = ? AND {_ACTIVE}",
                [example_key],
            )
            previous = [row for row in effective if row["slot"] == slot]
            _check_pair(example_key, slot, annotator, effective)
            if only_if_unhandled and previous:
                raise ItemTakenError(example_key, previous[0]["annotator"], "handled")
            if session is not None:
                holders = self._rows(
                    "SELECT annotator FROM claims WHERE example_key = ? AND session != ?"
                    " AND claimed_at >= ?",
                    [example_key, session, time.time() - LEASE_S],
                )
                if holders:
                    raise ItemTakenError(example_key, holders[0]["annotator"], "claimed")
                db.execute("DELETE FROM claims WHERE example_key = ?", [example_key])
            cursor = db.execute(
                "INSERT INTO annotations (example_key, round_id, annotator, kind, labels,"
                " created_at, active_seconds, slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    example_key,
                    round_id,
                    annotator,
                    kind,
                    label_to_json(labels),
                    now_iso(),
                    active_seconds,
                    slot,
                ],  # fmt: skip
            )
            new_id = int(cursor.lastrowid)
            for row in previous:
                db.execute(
                    "UPDATE annotations SET superseded_by = ? WHERE id = ?", [new_id, row["id"]]
                )
        return self.get_annotation(new_id)

    def _check_annotation(self, example_key: int, labels: Label | None, kind: str) -> None:
        if kind not in ANNOTATION_KINDS:
            raise InvalidAnnotationError(f"kind {kind!r} is not one of {ANNOTATION_KINDS}")
        try:
            stored = self.get_examples([example_key])[0]  # type: ignore[attr-defined]
        except Exception as error:
            raise InvalidAnnotationError(f"no example with key {example_key}") from error
        if kind != "label":
            if labels is not None:
                raise InvalidAnnotationError(f"a {kind!r} annotation carries no labels")
            return
        if labels is None:
            raise InvalidAnnotationError(
                f"a 'label' annotation of example {example_key} needs labels"
            )
        info = self.info()
        problem = label_problem(info.task, info.labels, stored.example, labels)
        if problem is not None:
            raise InvalidAnnotationError(problem)

    def undo_last_annotation(
        self, annotator: str | None = None, slots: tuple[str, ...] | None = None
    ) -> Annotation | None:
        """Undo the newest not-yet-undone annotation (of ``annotator``, in ``slots``, if
        given: the Annotate page undoes labels, the Review page decisions).

        The row it superseded becomes effective again. Returns the undone row, or ``None``
        when there was nothing to undo.
        """
        with self._write() as db:
            where, params = "a.undone_at IS NULL", []
            if annotator is not None:
                where, params = where + " AND a.annotator = ?", [annotator]
            if slots is not None:
                where += f" AND a.slot IN ({', '.join('?' for _ in slots)})"
                params = [*params, *slots]
            rows = self._rows(
                f"SELECT a.id, a.superseded_by FROM annotations a WHERE {where}"
                " ORDER BY a.id DESC LIMIT 1",
                params,
            )
            if not rows:
                return None
            undone_id, successor = rows[0]["id"], rows[0]["superseded_by"]
            db.execute("UPDATE annotations SET undone_at = ? WHERE id = ?", [now_iso(), undone_id])
            db.execute(
                "UPDATE annotations SET superseded_by = ? WHERE superseded_by = ?",
                [successor, undone_id],
            )
        return self.get_annotation(undone_id)

    def get_annotation(self, annotation_id: int) -> Annotation:
        """One annotation row by id."""
        rows = self._rows("SELECT * FROM annotations a WHERE a.id = ?", [annotation_id])
        if not rows:
            raise InvalidAnnotationError(f"no annotation with id {annotation_id}")
        return _annotation(rows[0])

    def annotation_history(self, example_key: int) -> list[Annotation]:
        """Every annotation row of one example, oldest first (undone ones included)."""
        sql = "SELECT * FROM annotations a WHERE a.example_key = ? ORDER BY a.id"
        return [_annotation(row) for row in self._rows(sql, [example_key])]

    def current_annotations(self, pool: str = "source") -> dict[int, Annotation]:
        """The effective first annotation (label, skip or flag) per example key of ``pool``
        (every slot: :meth:`slot_annotations`)."""
        sql = (
            f"SELECT a.* FROM annotations a JOIN examples e ON e.id = a.example_key"
            f" WHERE e.pool = ? AND a.slot = 'first' AND {_ACTIVE} ORDER BY a.id"
        )
        rows = self._rows(sql, [check_pool(pool)])
        return {row["example_key"]: _annotation(row) for row in rows}

    def slot_annotations(self, pool: str = "source") -> dict[int, dict[str, Annotation]]:
        """Every effective annotation of ``pool``: example key -> slot -> annotation."""
        sql = (
            f"SELECT a.* FROM annotations a JOIN examples e ON e.id = a.example_key"
            f" WHERE e.pool = ? AND {_ACTIVE} ORDER BY a.id"
        )
        slots: dict[int, dict[str, Annotation]] = {}
        for row in self._rows(sql, [check_pool(pool)]):
            slots.setdefault(row["example_key"], {})[row["slot"]] = _annotation(row)
        return slots

    def resolutions(self, pool: str = "source") -> dict[int, Resolution]:
        """Per annotated example key of ``pool``: the label training uses and why
        (:func:`storage.resolution.resolve`)."""
        return {key: resolve(slots) for key, slots in self.slot_annotations(pool).items()}

    def current_labels(self, pool: str = "source") -> dict[int, Label]:
        """The label training uses per example key of ``pool`` (reviewed, agreed or single;
        skipped, flagged and conflicting items left out)."""
        return labels_of(self.resolutions(pool))

    def conflicts(self, pool: str = "source") -> list[int]:
        """Example keys whose two annotators disagree and no reviewer has decided yet."""
        return [key for key, found in self.resolutions(pool).items() if found.state == "conflict"]

    def annotation_count(self, pool: str = "source") -> dict[str, int]:
        """How many examples of ``pool`` are effectively labelled / skipped / flagged."""
        counts = {kind: 0 for kind in ANNOTATION_KINDS}
        for annotation in self.current_annotations(pool).values():
            counts[annotation.kind] += 1
        return counts


def _annotation(row: dict[str, Any]) -> Annotation:
    return Annotation(
        id=row["id"],
        example_key=row["example_key"],
        round_id=row["round_id"],
        annotator=row["annotator"],
        kind=row["kind"],
        labels=label_from_json(row["labels"]),
        created_at=row["created_at"],
        superseded_by=row["superseded_by"],
        undone_at=row["undone_at"],
        active_seconds=row.get("active_seconds"),
        slot=row.get("slot", "first"),
    )


def _check_pair(example_key: int, slot: str, annotator: str, effective: list[dict]) -> None:
    """Refuse a second label without another annotator's first label, and a first label
    by the author of the second (nobody labels one overlap item twice)."""
    by_slot = {row["slot"]: row for row in effective}
    if slot == "second":
        first = by_slot.get("first")
        if first is None or first["kind"] != "label":
            raise InvalidAnnotationError(f"example {example_key} has no first label to "
                                         "double-check")  # fmt: skip
        if first["annotator"] == annotator:
            raise InvalidAnnotationError(f"{annotator} gave the first label of example "
                                         f"{example_key}; a second annotator must give the "
                                         "second")  # fmt: skip
    if slot == "first" and by_slot.get("second", {}).get("annotator") == annotator:
        raise InvalidAnnotationError(f"{annotator} gave the second label of example "
                                     f"{example_key}; the first must come from someone else")  # fmt: skip
