"""Model outputs per model version: uncertainty, predictions, embeddings, 2-D map coordinates.

Embeddings storage choice
-------------------------
Embeddings are ``.npy`` files in the artifacts folder beside the project file
(``<project>.artifacts/``), one per (model version, pool), referenced by a
``score_sets`` row. The file is written to a temporary name, fsynced and renamed into
place *before* the transaction that inserts its row commits, so a row never points at a
missing or half-written file (a crash in between leaves at worst an unreferenced file,
removed by :meth:`ScoresMixin.remove_orphan_files`). Reasons: an (n, 384) float32 array
loads in one ``np.load`` (memory-mappable) instead of n BLOB decodes; the SQLite file
stays small (it holds the precious annotations, so backups and WAL checkpoints stay fast);
old versions are dropped by deleting a file, without ``VACUUM``.
Uncertainty and predictions stay in SQLite (``example_scores``) so the UI can sort and
filter on them.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storage.base import StoreBase
from storage.errors import StorageError
from storage.examples import check_pool
from storage.records import dumps
from storage.rounds import now_iso


class ScoresMixin(StoreBase):
    """Saving and loading scores and projections by model version."""

    def save_scores(
        self,
        version: str | int,
        round_id: int | None,
        pool: str,
        uncertainty: np.ndarray,
        predictions: Sequence[Any],
        embeddings: np.ndarray | None = None,
        *,
        scored: Sequence[int] | np.ndarray | None = None,
        embeddings_file: str | None = None,
    ) -> None:
        """Store a model version's outputs on a whole pool (row ``i`` = position ``i``).

        Parameters
        ----------
        version : str or int
            Model version (stored as text); saving the same version and pool again
            replaces the earlier scores.
        round_id : int or None
            The round that produced the model (``None`` for the base model).
        pool : str
        uncertainty : (n,) float array
        predictions : length-n sequence of JSON-serializable values
        embeddings : (n, d) float array, stored as float32
        scored : sequence of int, optional
            The rows the model scored (a round that rescored only what selection reads);
            only their margins and predictions are stored, the others load as NaN / None.
        embeddings_file : str, optional
            Instead of ``embeddings``: an existing ``.npy`` of (n, d) vectors under the
            artifacts folder (a pool index's), shared by every score set that names it.
        """
        check_pool(pool)
        unc = np.asarray(uncertainty, dtype=np.float64).reshape(-1)
        keys = self.keys_at_positions(pool, range(self.pool_size(pool)))  # type: ignore[attr-defined]
        rows = np.arange(len(keys)) if scored is None else np.unique(np.asarray(scored, np.int64))
        if embeddings_file is not None:
            name = embeddings_file
            emb = np.load(self.artifacts / name, mmap_mode="r")
            _check_shapes(len(keys), unc, predictions, emb, rows)
        else:
            emb = np.ascontiguousarray(embeddings, dtype=np.float32)
            _check_shapes(len(keys), unc, predictions, emb, rows)
            name = f"emb-{uuid.uuid4().hex}.npy"
            self._write_npy_atomically(self.artifacts / name, emb)
        replaced: list[str] = []
        with self._write() as db:
            old = self._rows(
                "SELECT id, embeddings_file FROM score_sets WHERE model_version = ? AND pool = ?",
                [str(version), pool],
            )
            for row in old:
                db.execute("DELETE FROM example_scores WHERE score_set_id = ?", [row["id"]])
                db.execute("DELETE FROM score_sets WHERE id = ?", [row["id"]])
                replaced.append(row["embeddings_file"])
            cursor = db.execute(
                "INSERT INTO score_sets (model_version, round_id, pool, n_rows, embedding_dim,"
                " embeddings_file, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [str(version), round_id, pool, len(keys), emb.shape[1], name, now_iso()],
            )
            set_id = int(cursor.lastrowid)
            values = (
                (set_id, row, keys[row], float(unc[row]), dumps(predictions[row]))
                for row in rows.tolist()
            )
            db.conn.executemany(
                "INSERT INTO example_scores (score_set_id, row, example_key, uncertainty,"
                " prediction) VALUES (?, ?, ?, ?, ?)",
                values,
            )
        for stale in replaced:
            if stale.startswith("emb-"):  # a pool index's shared file stays
                with contextlib.suppress(FileNotFoundError):
                    (self.artifacts / stale).unlink()

    def load_scores(
        self, version: str | int, pool: str
    ) -> tuple[np.ndarray, list[Any], np.ndarray]:
        """A model version's outputs on ``pool``.

        Returns
        -------
        uncertainty : (n,) float64 -- NaN where the round did not score the row
        predictions : list of n JSON values -- None where it did not
        embeddings : (n, d) float32
        """
        with self._snapshot():
            sets = self._rows(
                "SELECT * FROM score_sets WHERE model_version = ? AND pool = ?",
                [str(version), check_pool(pool)],
            )
            if not sets:
                raise StorageError(f"no scores for model version {version!r} on pool {pool!r}")
            rows = self._rows(
                "SELECT row, uncertainty, prediction FROM example_scores WHERE score_set_id = ?"
                " ORDER BY row",
                [sets[0]["id"]],
            )
            embeddings = np.load(self.artifacts / sets[0]["embeddings_file"])
        n = int(sets[0]["n_rows"])
        embeddings = np.asarray(embeddings[:n])
        uncertainty = np.full(n, np.nan)
        predictions: list[Any] = [None] * n
        for row in rows:
            uncertainty[row["row"]] = row["uncertainty"]
            predictions[row["row"]] = json.loads(row["prediction"])
        return uncertainty, predictions, embeddings

    def model_versions(self) -> list[str]:
        """Model versions with stored scores, oldest first."""
        sql = "SELECT model_version, MIN(id) AS first FROM score_sets GROUP BY model_version"
        return [row["model_version"] for row in sorted(self._rows(sql), key=lambda r: r["first"])]

    def save_projection(
        self,
        version: str | int,
        pool_positions: Sequence[tuple[str, int]],
        coords: np.ndarray,
    ) -> None:
        """Store 2-D map coordinates for a model version (replacing earlier ones).

        Parameters
        ----------
        pool_positions : length-n sequence of (pool, position)
            Which example each row of ``coords`` is.
        coords : (n, 2) float array
        """
        xy = np.asarray(coords, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] != len(pool_positions):
            raise ValueError(f"coords must be ({len(pool_positions)}, 2), got {xy.shape}")
        keys = self._keys_of(pool_positions)
        with self._write() as db:
            db.execute("DELETE FROM projections WHERE model_version = ?", [str(version)])
            db.conn.executemany(
                "INSERT INTO projections (model_version, row, example_key, x, y)"
                " VALUES (?, ?, ?, ?, ?)",
                ((str(version), row, key, float(x), float(y))
                 for row, (key, (x, y)) in enumerate(zip(keys, xy, strict=True))),
            )  # fmt: skip

    def load_projection(self, version: str | int) -> tuple[list[tuple[str, int]], np.ndarray]:
        """Map coordinates of a model version: ``(pool_positions, coords (n, 2) float64)``."""
        sql = (
            "SELECT e.pool, e.position, p.x, p.y FROM projections p"
            " JOIN examples e ON e.id = p.example_key WHERE p.model_version = ? ORDER BY p.row"
        )
        rows = self._rows(sql, [str(version)])
        if not rows:
            raise StorageError(f"no projection for model version {version!r}")
        coords = np.array([[row["x"], row["y"]] for row in rows], dtype=np.float64)
        return [(row["pool"], row["position"]) for row in rows], coords

    def _keys_of(self, pool_positions: Sequence[tuple[str, int]]) -> list[int]:
        by_pool: dict[str, list[int]] = {}
        for pool, position in pool_positions:
            by_pool.setdefault(check_pool(pool), []).append(int(position))
        lookup = {
            (pool, position): key
            for pool, positions in by_pool.items()
            for position, key in zip(
                positions, self.keys_at_positions(pool, positions), strict=True
            )  # type: ignore[attr-defined]
        }
        return [lookup[(pool, int(position))] for pool, position in pool_positions]

    def remove_orphan_files(self) -> list[str]:
        """Delete embedding files no committed row references; returns their names.

        Call when no other process is writing scores (e.g. at app start).
        """
        if not self.artifacts.is_dir():
            return []
        used = {
            row["embeddings_file"] for row in self._rows("SELECT embeddings_file FROM score_sets")
        }
        removed = []
        for path in self.artifacts.iterdir():
            if path.is_file() and path.name not in used:
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    def _write_npy_atomically(self, path: Path, array: np.ndarray) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as handle:
            np.save(handle, array)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _check_shapes(
    n: int, unc: np.ndarray, predictions: Sequence[Any], emb: np.ndarray, rows: np.ndarray
) -> None:
    if unc.shape[0] != n:
        raise ValueError(f"uncertainty has {unc.shape[0]} values, the pool has {n} examples")
    if len(predictions) != n:
        raise ValueError(f"predictions has {len(predictions)} items, the pool has {n} examples")
    if emb.ndim != 2 or emb.shape[0] != n:
        raise ValueError(f"embeddings must be ({n}, d), got {emb.shape}")
    if rows.size and (rows[0] < 0 or rows[-1] >= n):
        raise ValueError(f"scored rows must lie in [0, {n})")
    if not np.all(np.isfinite(unc[rows])):
        raise ValueError("uncertainty contains NaN or infinite values")
