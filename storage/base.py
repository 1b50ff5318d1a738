"""The part of :class:`~storage.ProjectStore` every feature module builds on."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from demux_core.data.examples import TaskType
from storage.connection import ConnectionSettings, ThreadConnections, write_transaction
from storage.paths import artifacts_dir
from storage.records import ProjectInfo, dumps, loads_dict


class StoreBase:
    """Connections, transactions, project info, backup and closing.

    Parameters
    ----------
    path : Path
        The project's ``.sqlite`` file (already created and migrated).
    settings : ConnectionSettings
        Pragmas and retry policy for every connection.
    """

    def __init__(self, path: Path, settings: ConnectionSettings) -> None:
        self.path = Path(path)
        self.artifacts = artifacts_dir(self.path)
        self.connection_settings = settings
        self._connections = ThreadConnections(self.path, settings)

    # -- connections and transactions -------------------------------------------------
    def _db(self) -> Database:
        return self._connections.db()

    def _write(self) -> contextlib.AbstractContextManager[Database]:
        """One all-or-nothing write transaction on this thread's connection."""
        return write_transaction(self._db(), self.connection_settings.begin_deadline_s)

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Database]:
        """A read transaction: several queries see one consistent state."""
        db = self._db()
        if db.conn.in_transaction:
            yield db
            return
        db.conn.execute("BEGIN")
        try:
            yield db
        finally:
            if db.conn.in_transaction:
                db.conn.execute("COMMIT")

    def _rows(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return list(self._db().query(sql, params or []))

    # -- project info ---------------------------------------------------------------
    def info(self) -> ProjectInfo:
        """The project's name, task, label schema, model spec and settings."""
        row = self._rows("SELECT * FROM project WHERE id = 1")[0]
        return ProjectInfo(
            name=row["name"],
            task=TaskType(row["task"]),
            labels=tuple(json.loads(row["labels"])),
            model_spec=row["model_spec"],
            settings=loads_dict(row["settings"]),
            created_at=row["created_at"],
        )

    def update_project(
        self,
        *,
        settings: dict[str, Any] | None = None,
        model_spec: str | None = None,
        labels: list[str] | tuple[str, ...] | None = None,
    ) -> ProjectInfo:
        """Replace the settings dict, model spec and/or label schema; returns the new info."""
        with self._write() as db:
            if settings is not None:
                db.execute("UPDATE project SET settings = ? WHERE id = 1", [dumps(settings)])
            if model_spec is not None:
                db.execute("UPDATE project SET model_spec = ? WHERE id = 1", [model_spec])
            if labels is not None:
                db.execute("UPDATE project SET labels = ? WHERE id = 1", [dumps(list(labels))])
        return self.info()

    # -- maintenance ------------------------------------------------------------------
    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` result: ``"ok"`` for a healthy file."""
        rows = self._db().conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def backup(self, dest: str | Path) -> Path:
        """Copy the project to ``dest`` (a ``.sqlite`` path), safe while the app runs.

        Uses SQLite's online backup API (a consistent snapshot even with concurrent
        writers), then copies the embedding files the snapshot references into the
        destination's artifacts folder. A score set whose file was replaced meanwhile is
        dropped from the copy, so the backup is always self-consistent.
        """
        dest = Path(dest)
        if dest.exists():
            raise FileExistsError(f"backup destination {dest} already exists")
        dest.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(str(dest), isolation_level=None)
        try:
            self._db().conn.backup(target)
            self._copy_artifacts(target, artifacts_dir(dest))
        finally:
            target.close()
        return dest

    def _copy_artifacts(self, target: sqlite3.Connection, dest_dir: Path) -> None:
        rows = target.execute("SELECT id, embeddings_file FROM score_sets").fetchall()
        for score_set_id, name in rows:
            source = self.artifacts / name
            try:
                dest_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest_dir / name)
            except FileNotFoundError:
                target.execute("DELETE FROM example_scores WHERE score_set_id = ?", [score_set_id])
                target.execute("DELETE FROM score_sets WHERE id = ?", [score_set_id])

    def close(self) -> None:
        """Close every connection of this store (from any thread)."""
        self._connections.close_all()

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
