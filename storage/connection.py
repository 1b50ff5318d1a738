"""One SQLite connection per thread, WAL mode, and write transactions that wait politely.

Durability choice
-----------------
Every connection runs ``journal_mode=WAL`` with ``synchronous=FULL``. In WAL mode
``synchronous=NORMAL`` already survives a killed process (``kill -9``): a committed
transaction is in the WAL file, which the OS keeps once ``write()`` returned. It does
*not* survive a power cut or OS crash, which can lose the last commits. ``FULL`` adds one
``fsync`` of the WAL per commit, so an annotation is on disk when ``save_annotation``
returns, whatever happens next. Commits are rare (one per annotation, one per bulk
write), so the fsync costs far less than a person's labelling time.

Concurrency
-----------
Each thread gets its own connection (``threading.local``). Writes start with
``BEGIN IMMEDIATE`` so that the write lock is taken up front (a deferred transaction
that later upgrades can fail with ``SQLITE_BUSY`` without waiting). The connection's
``busy_timeout`` makes SQLite wait for the lock; on top of it, ``BEGIN IMMEDIATE`` is
retried with exponential backoff until ``begin_deadline_s``, after which
:class:`~storage.errors.StorageBusyError` is raised.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from storage.errors import StorageBusyError

_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


@dataclass(frozen=True)
class ConnectionSettings:
    """How connections to a project file behave.

    Attributes
    ----------
    busy_timeout_ms : int
        How long SQLite itself waits for a lock before reporting ``SQLITE_BUSY``.
    synchronous : str
        ``PRAGMA synchronous`` value; ``"FULL"`` makes each commit durable on return.
    begin_deadline_s : float
        Total time ``BEGIN IMMEDIATE`` is retried (with backoff) before giving up.
    """

    busy_timeout_ms: int = 30_000
    synchronous: str = "FULL"
    begin_deadline_s: float = 120.0


def is_busy_error(error: sqlite3.Error) -> bool:
    """Whether ``error`` is SQLITE_BUSY / SQLITE_LOCKED ("database is locked")."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _BUSY_CODES
    return "locked" in str(error) or "busy" in str(error)


def connect(path: Path, settings: ConnectionSettings) -> sqlite3.Connection:
    """Open a raw connection in autocommit mode with the project pragmas set.

    ``isolation_level=None`` stops the sqlite3 driver from opening implicit
    transactions: every transaction here is explicit (:func:`write_transaction`).
    """
    conn = sqlite3.connect(
        str(path),
        timeout=settings.busy_timeout_ms / 1000,
        isolation_level=None,
        check_same_thread=False,  # only so that close_all() may close it; one thread uses it
    )
    conn.execute(f"PRAGMA busy_timeout = {int(settings.busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA synchronous = {settings.synchronous}")
    return conn


def enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL journal mode (persistent; a no-op when already on)."""
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"could not enable WAL mode (journal_mode={mode})")


class ThreadConnections:
    """Hands each thread (and each forked process) its own :class:`Database`.

    Parameters
    ----------
    path : Path
        The project file.
    settings : ConnectionSettings
        Pragmas and retry policy for every connection.
    """

    def __init__(self, path: Path, settings: ConnectionSettings) -> None:
        self.path = path
        self.settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False

    def db(self) -> Database:
        """This thread's :class:`sqlite_utils.Database`, opened on first use."""
        if self._closed:
            raise sqlite3.ProgrammingError(f"project store {self.path} is closed")
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            conn = connect(self.path, self.settings)
            db = Database(conn)
            self._local.db, self._local.pid = db, os.getpid()
            with self._lock:
                self._close_orphans()
                self._open.append((threading.current_thread(), conn))
        return db

    def open_count(self) -> int:
        """How many connections are open (one per live thread that used the store)."""
        with self._lock:
            return len(self._open)

    def _close_orphans(self) -> None:
        """Close connections of threads that have ended (Streamlit runs each rerun in a
        new thread; without this every rerun would leak a connection). Caller holds the lock.
        """
        alive = []
        for thread, conn in self._open:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
        self._open = alive

    def close_all(self) -> None:
        """Close every connection opened through this object (any thread)."""
        with self._lock:
            self._closed = True
            for _thread, conn in self._open:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._open.clear()


def _begin_immediate(conn: sqlite3.Connection, deadline_s: float) -> None:
    """Run ``BEGIN IMMEDIATE``, retrying on SQLITE_BUSY with jittered backoff."""
    give_up_at = time.monotonic() + deadline_s
    delay = 0.005
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy_error(error):
                raise
            if time.monotonic() + delay > give_up_at:
                raise StorageBusyError(
                    f"another writer kept the project file locked for over {deadline_s:.0f} s"
                ) from error
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)


@contextlib.contextmanager
def write_transaction(db: Database, deadline_s: float) -> Iterator[Database]:
    """One all-or-nothing write: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error).

    Nested use joins the outer transaction through a savepoint.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(conn, deadline_s)
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
