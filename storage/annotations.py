"""Annotations with an audit trail: a correction supersedes the older row, undo restores it.

The effective annotation of an example is its row with ``superseded_by IS NULL`` and
``undone_at IS NULL``. Saving marks the previous effective row ``superseded_by = new id``;
undoing marks a row ``undone_at`` and hands its place back to the row it superseded.
Rows are never deleted or overwritten.
"""

from __future__ import annotations

import time
from typing import Any

from storage.base import StoreBase
from storage.claims import LEASE_S
from storage.errors import InvalidAnnotationError, ItemTakenError
from storage.examples import check_pool
from storage.records import Annotation, Label, label_from_json, label_to_json
from storage.rounds import now_iso
from storage.schema import ANNOTATION_KINDS
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

        Raises
        ------
        InvalidAnnotationError
            Unknown example or kind, or labels that do not fit the example / schema.
        ItemTakenError
            With ``only_if_unhandled`` or ``session``: the example was handled, or is
            claimed by another session; nothing was written.
        """
        self._check_annotation(example_key, labels, kind)
        if active_seconds is not None and not active_seconds >= 0:
            raise InvalidAnnotationError(f"active_seconds must be >= 0, got {active_seconds}")
        with self._write() as db:
            previous = self._rows(
                f"SELECT a.id, a.annotator FROM annotations a WHERE a.example_key = ?"
                f" AND {_ACTIVE}",
                [example_key],
            )
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
                " created_at, active_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    example_key,
                    round_id,
                    annotator,
                    kind,
                    label_to_json(labels),
                    now_iso(),
                    active_seconds,
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

    def undo_last_annotation(self, annotator: str | None = None) -> Annotation | None:
        """Undo the newest not-yet-undone annotation (of ``annotator``, if given).

        The row it superseded becomes effective again. Returns the undone row, or ``None``
        when there was nothing to undo.
        """
        with self._write() as db:
            where, params = "a.undone_at IS NULL", []
            if annotator is not None:
                where, params = where + " AND a.annotator = ?", [annotator]
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
        """The effective annotation (label, skip or flag) per example key of ``pool``."""
        sql = (
            f"SELECT a.* FROM annotations a JOIN examples e ON e.id = a.example_key"
            f" WHERE e.pool = ? AND {_ACTIVE} ORDER BY a.id"
        )
        rows = self._rows(sql, [check_pool(pool)])
        return {row["example_key"]: _annotation(row) for row in rows}

    def current_labels(self, pool: str = "source") -> dict[int, Label]:
        """The effective label per example key of ``pool`` (skipped / flagged left out)."""
        return {
            key: annotation.labels
            for key, annotation in self.current_annotations(pool).items()
            if annotation.kind == "label" and annotation.labels is not None
        }

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
    )
