"""Creating and opening project files; the :class:`ProjectStore` facade."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from demux_core.data.examples import TaskType
from storage.annotations import AnnotationsMixin
from storage.claims import ClaimsMixin
from storage.connection import ConnectionSettings, connect, enable_wal, write_transaction
from storage.errors import StorageError
from storage.examples import ExamplesMixin
from storage.exporting import ExportingMixin
from storage.records import Round, dumps
from storage.rounds import RoundsMixin, now_iso
from storage.schema import SCHEMA_VERSION, apply_migration, schema_version
from storage.scores import ScoresMixin


class ProjectStore(
    ExamplesMixin, RoundsMixin, AnnotationsMixin, ClaimsMixin, ScoresMixin, ExportingMixin
):
    """Everything one project keeps, in one SQLite file (plus ``.npy`` files beside it).

    Thread-safe: each thread uses its own connection. Every method that writes several
    rows does so in one transaction. Obtain one with :func:`create_project` or
    :func:`open_project`; close it with :meth:`close` (or use it as a context manager).

    Attributes
    ----------
    interrupted_at_open : list of Round
        Rounds that were in ``selecting`` / ``training`` / ``scoring`` when the file was
        opened: their worker died; the app offers to resume them.
    """

    interrupted_at_open: list[Round]


def create_project(
    path: str | Path,
    name: str,
    task: TaskType | str,
    labels: Sequence[str],
    model_spec: str,
    settings: dict[str, Any] | None = None,
    *,
    connection_settings: ConnectionSettings | None = None,
) -> ProjectStore:
    """Create a new project file (WAL mode, latest schema) and open it.

    Raises
    ------
    FileExistsError
        If ``path`` already exists.
    ValueError
        If ``task`` is not a :class:`TaskType` value or labels repeat.
    """
    path = Path(path)
    task = TaskType(task)
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels repeat: {list(labels)}")
    if path.exists():
        raise FileExistsError(f"project file {path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn_settings = connection_settings or ConnectionSettings()
    conn = connect(path, conn_settings)
    try:
        enable_wal(conn)
        _migrate(conn, conn_settings)
        conn.execute(
            "INSERT INTO project (id, name, task, labels, model_spec, settings, created_at)"
            " VALUES (1, ?, ?, ?, ?, ?, ?)",
            [name, task.value, dumps(list(labels)), model_spec, dumps(settings or {}), now_iso()],
        )
    finally:
        conn.close()
    return open_project(path, connection_settings=conn_settings)


def open_project(
    path: str | Path, *, connection_settings: ConnectionSettings | None = None
) -> ProjectStore:
    """Open an existing project file, migrating it forward to the current schema.

    Raises
    ------
    StorageError
        If the file is missing, is not a DeMuX project, or has a newer schema.
    """
    path = Path(path)
    if not path.is_file():
        raise StorageError(f"no project file at {path}")
    conn_settings = connection_settings or ConnectionSettings()
    try:
        conn = connect(path, conn_settings)
    except sqlite3.Error as error:
        raise StorageError(f"{path} is not a readable SQLite file: {error}") from error
    try:
        enable_wal(conn)
        _migrate(conn, conn_settings)
        has_project = conn.execute("SELECT COUNT(*) FROM project").fetchone()[0] == 1
    except sqlite3.DatabaseError as error:
        raise StorageError(f"{path} is not a DeMuX project file: {error}") from error
    finally:
        conn.close()
    if not has_project:
        raise StorageError(f"{path} holds no project row (creation did not finish)")
    store = ProjectStore(path, conn_settings)
    store.interrupted_at_open = store.find_interrupted_rounds()
    return store


def _migrate(conn: sqlite3.Connection, settings: ConnectionSettings) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`, one transaction per migration."""
    from sqlite_utils import Database

    db = Database(conn)
    while True:
        with write_transaction(db, settings.begin_deadline_s):
            version = schema_version(conn)
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"schema version {version} is newer than this app supports "
                    f"({SCHEMA_VERSION}): update DeMuX Studio"
                )
            if version == SCHEMA_VERSION:
                return
            apply_migration(conn, version)
