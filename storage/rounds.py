"""Rounds (select -> annotate -> train -> score) and the selections they make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from storage.base import StoreBase
from storage.errors import StorageError
from storage.records import Round, Selection, dumps, loads_dict
from storage.schema import ROUND_STATUSES

RUNNING_STATUSES = ("selecting", "training", "scoring")
FINAL_STATUSES = ("done", "failed")


def now_iso() -> str:
    """The current UTC time as ISO 8601 text with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class RoundsMixin(StoreBase):
    """Round bookkeeping and per-round selections."""

    def start_round(self, strategy: str, config: dict[str, Any] | None = None) -> Round:
        """Create the next round (number = last + 1) in status ``selecting``."""
        stamp = now_iso()
        with self._write() as db:
            last = self._rows("SELECT MAX(number) AS n FROM rounds")[0]["n"]
            cursor = db.execute(
                "INSERT INTO rounds (number, strategy, config, status, stage, progress,"
                " created_at, started_at, updated_at) VALUES (?, ?, ?, 'selecting',"
                " 'selecting', 0.0, ?, ?, ?)",
                [(last or 0) + 1, strategy, dumps(config or {}), stamp, stamp, stamp],
            )
            round_id = int(cursor.lastrowid)
        return self.get_round(round_id)

    def get_round(self, round_id: int) -> Round:
        """The round with this id (raises :class:`StorageError` when absent)."""
        rows = self._rows("SELECT * FROM rounds WHERE id = ?", [round_id])
        if not rows:
            raise StorageError(f"no round with id {round_id} in {self.path}")
        return _round(rows[0])

    def rounds(self) -> list[Round]:
        """Every round, oldest first."""
        return [_round(row) for row in self._rows("SELECT * FROM rounds ORDER BY number")]

    def current_round(self) -> Round | None:
        """The latest round, or ``None`` before the first one."""
        rows = self._rows("SELECT * FROM rounds ORDER BY number DESC LIMIT 1")
        return _round(rows[0]) if rows else None

    def find_interrupted_rounds(self) -> list[Round]:
        """Rounds left in ``selecting`` / ``training`` / ``scoring`` (a worker died there)."""
        marks = ",".join("?" * len(RUNNING_STATUSES))
        sql = f"SELECT * FROM rounds WHERE status IN ({marks}) ORDER BY number"
        return [_round(row) for row in self._rows(sql, list(RUNNING_STATUSES))]

    def set_round_status(
        self,
        round_id: int,
        status: str,
        *,
        stage: str | None = None,
        progress: float | None = None,
        timings: dict[str, float] | None = None,
        model_version: str | int | None = None,
        checkpoint_path: str | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> Round:
        """Move a round to ``status`` and record what is given.

        ``stage`` defaults to ``status``; ``timings`` are merged into the stored ones
        (seconds per stage); ``metrics`` replace the stored dict. ``done`` and ``failed``
        set ``finished_at``.
        """
        if status not in ROUND_STATUSES:
            raise ValueError(f"unknown round status {status!r}; expected one of {ROUND_STATUSES}")
        with self._write() as db:
            current = self.get_round(round_id)
            changes: dict[str, Any] = {
                "status": status,
                "stage": stage or status,
                "progress": progress,
                "updated_at": now_iso(),
                "timings": dumps({**current.timings, **(timings or {})}),
            }
            if status in FINAL_STATUSES:
                changes["finished_at"] = changes["updated_at"]
            if model_version is not None:
                changes["model_version"] = str(model_version)
            if checkpoint_path is not None:
                changes["checkpoint_path"] = checkpoint_path
            if metrics is not None:
                changes["metrics"] = dumps(metrics)
            db["rounds"].update(round_id, changes)
        return self.get_round(round_id)

    def merge_round_metrics(self, round_id: int, extra: dict[str, Any]) -> Round:
        """Add ``extra`` to a round's stored metrics (keys in both take ``extra``'s value),
        without touching its status or ``updated_at`` (a background result, e.g. the twin)."""
        with self._write() as db:
            current = self.get_round(round_id)
            db["rounds"].update(round_id, {"metrics": dumps({**current.metrics, **extra})})
        return self.get_round(round_id)

    def set_round_progress(self, round_id: int, progress: float, stage: str | None = None) -> None:
        """Record progress (0..1) within the current stage, without changing the status."""
        with self._write() as db:
            changes: dict[str, Any] = {"progress": float(progress), "updated_at": now_iso()}
            if stage is not None:
                changes["stage"] = stage
            db["rounds"].update(round_id, changes)

    def mark_round_failed(self, round_id: int, error: str) -> Round:
        """Set status ``failed`` with the error text (stage keeps where it failed)."""
        stage = self.get_round(round_id).stage
        with self._write() as db:
            db["rounds"].update(round_id, {"error": error})
            return self.set_round_status(round_id, "failed", stage=stage)

    # -- selections -----------------------------------------------------------------
    def save_selection(
        self,
        round_id: int,
        positions: Sequence[int] | np.ndarray,
        uncertainty: Sequence[float] | np.ndarray | None = None,
        distance: Sequence[float] | np.ndarray | None = None,
        k: int | None = None,
        pool: str = "source",
    ) -> list[Selection]:
        """Store a round's chosen examples, replacing any earlier selection of that round.

        Parameters
        ----------
        positions : (n,) int array
            Positions in ``pool`` in rank order (first = rank 0).
        uncertainty, distance : (n,) float arrays, optional
            Per chosen example: the model's uncertainty and distance to the target.
        k : int, optional
            The k (neighbours) in force.
        """
        keys = self.keys_at_positions(pool, [int(p) for p in positions])  # type: ignore[attr-defined]
        n = len(keys)
        unc = _column(uncertainty, n, "uncertainty")
        dist = _column(distance, n, "distance")
        rows = [
            {"round_id": round_id, "example_key": key, "rank": rank, "uncertainty": unc[rank],
             "distance": dist[rank], "k": k}
            for rank, key in enumerate(keys)
        ]  # fmt: skip
        with self._write() as db:
            self.get_round(round_id)
            db.execute("DELETE FROM selections WHERE round_id = ?", [round_id])
            db["selections"].insert_all(rows)
        return self.selections(round_id)

    def selections(self, round_id: int) -> list[Selection]:
        """A round's selection in rank order."""
        sql = (
            "SELECT s.*, e.position FROM selections s JOIN examples e ON e.id = s.example_key"
            " WHERE s.round_id = ? ORDER BY s.rank"
        )
        return [
            Selection(row["round_id"], row["rank"], row["example_key"], row["position"],
                      row["uncertainty"], row["distance"], row["k"])
            for row in self._rows(sql, [round_id])
        ]  # fmt: skip


def _column(values: Sequence[float] | np.ndarray | None, n: int, name: str) -> list[Any]:
    if values is None:
        return [None] * n
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape[0] != n:
        raise ValueError(f"{name} has {array.shape[0]} values for {n} selected examples")
    return [float(value) for value in array]


def _round(row: dict[str, Any]) -> Round:
    return Round(
        id=row["id"],
        number=row["number"],
        strategy=row["strategy"],
        config=loads_dict(row["config"]),
        status=row["status"],
        stage=row["stage"],
        progress=row["progress"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        updated_at=row["updated_at"],
        timings=loads_dict(row["timings"]),
        model_version=row["model_version"],
        checkpoint_path=row["checkpoint_path"],
        metrics=loads_dict(row["metrics"]),
        error=row["error"],
    )
