"""The server's accounts, sign-in sessions and failed sign-ins: one SQLite file for every
project (``<projects>/.team/accounts.db``; a folder the project list never reads).

Only hashes are stored: a password's slow salted hash (made by :mod:`service.team.accounts`)
and a session token's SHA-256 (the token itself lives only in the user's browser).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.connection import ConnectionSettings, ThreadConnections, write_transaction
from storage.paths import projects_dir

ROLES = ("admin", "annotator", "reviewer")
ACCOUNTS_FOLDER = ".team"

_DDL = f"""
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ({", ".join(f"'{r}'" for r in ROLES)})),
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_digest TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_sign_ins (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS failed_by_name ON failed_sign_ins (username, at);
"""


@dataclass(frozen=True)
class Account:
    """One account (``password_hash`` is a slow salted hash, never the password)."""

    username: str
    role: str
    password_hash: str
    created_at: float


@dataclass(frozen=True)
class SessionRow:
    """One sign-in session, by the digest of its token."""

    token_digest: str
    username: str
    created_at: float
    last_seen: float


def accounts_path(folder: Path | None = None) -> Path:
    """The accounts file under ``folder`` (default: the projects folder)."""
    return (folder or projects_dir()) / ACCOUNTS_FOLDER / "accounts.db"


class AccountStore:
    """Reads and writes of the accounts file (created on first use)."""

    def __init__(self, path: Path, settings: ConnectionSettings | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.settings = settings or ConnectionSettings()
        self._connections = ThreadConnections(self.path, self.settings)
        with self._write() as db:
            for statement in _DDL.split(";"):
                if statement.strip():
                    db.execute(statement)

    def _write(self):
        return write_transaction(self._connections.db(), self.settings.begin_deadline_s)

    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return list(self._connections.db().query(sql, params))

    # -- accounts ------------------------------------------------------------------------
    def add_account(self, username: str, role: str, password_hash: str, now: float) -> Account:
        """Create an account; ValueError when the name is taken or the role unknown."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}")
        try:
            with self._write() as db:
                db.execute("INSERT INTO accounts VALUES (?, ?, ?, ?)",
                           [username, role, password_hash, now])  # fmt: skip
        except sqlite3.IntegrityError as error:
            raise ValueError(f"an account named {username!r} exists") from error
        return Account(username, role, password_hash, now)

    def account(self, username: str) -> Account | None:
        rows = self._rows("SELECT * FROM accounts WHERE username = ?", [username])
        return Account(**rows[0]) if rows else None

    def accounts(self) -> list[Account]:
        return [Account(**row) for row in self._rows("SELECT * FROM accounts ORDER BY username")]

    def has_accounts(self) -> bool:
        return bool(self._rows("SELECT 1 FROM accounts LIMIT 1"))

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Replace the hash (and end the account's sessions)."""
        with self._write() as db:
            db.execute("UPDATE accounts SET password_hash = ? WHERE username = ?",
                       [password_hash, username])  # fmt: skip
            db.execute("DELETE FROM sessions WHERE username = ?", [username])

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}")
        with self._write() as db:
            db.execute("UPDATE accounts SET role = ? WHERE username = ?", [role, username])

    def remove_account(self, username: str) -> None:
        """Delete the account and its sessions (their labels stay, under its name)."""
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE username = ?", [username])
            db.execute("DELETE FROM accounts WHERE username = ?", [username])

    # -- sessions --------------------------------------------------------------------------
    def add_session(self, token_digest: str, username: str, now: float) -> None:
        with self._write() as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                       [token_digest, username, now, now])  # fmt: skip

    def session(self, token_digest: str) -> SessionRow | None:
        rows = self._rows("SELECT * FROM sessions WHERE token_digest = ?", [token_digest])
        return SessionRow(**rows[0]) if rows else None

    def touch_session(self, token_digest: str, now: float) -> None:
        with self._write() as db:
            db.execute("UPDATE sessions SET last_seen = ? WHERE token_digest = ?",
                       [now, token_digest])  # fmt: skip

    def end_session(self, token_digest: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE token_digest = ?", [token_digest])

    def end_stale_sessions(self, idle_before: float, created_before: float) -> None:
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE last_seen < ? OR created_at < ?",
                       [idle_before, created_before])  # fmt: skip

    # -- failed sign-ins ----------------------------------------------------------------
    def add_failure(self, username: str, now: float) -> None:
        with self._write() as db:
            db.execute("INSERT INTO failed_sign_ins (username, at) VALUES (?, ?)",
                       [username, now])  # fmt: skip

    def failures_since(self, username: str, since: float) -> list[float]:
        """Times of ``username``'s failed sign-ins at or after ``since``, oldest first."""
        rows = self._rows("SELECT at FROM failed_sign_ins WHERE username = ? AND at >= ?"
                          " ORDER BY at", [username, since])  # fmt: skip
        return [row["at"] for row in rows]

    def clear_failures(self, username: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM failed_sign_ins WHERE username = ?", [username])

    def close(self) -> None:
        self._connections.close_all()
