"""Sign-in for a team: accounts with roles, argon2id password hashes, expiring sessions and
slowed-down guessing.

Sign-in is required as soon as the server has one account (``python -m service.team
add-account``); with none the app is the single local user's, as before. Passwords are kept
only as argon2id hashes (``argon2-cffi``: salted, memory-hard). A session is a random token
the browser keeps in a cookie; the server stores only its SHA-256, and it ends after
:data:`SESSION_IDLE_S` without use or :data:`SESSION_MAX_S` in all. After
:data:`FREE_FAILURES` wrong passwords for one name within :data:`FAILURE_WINDOW_S`, each
further try must wait, twice as long each time (:func:`wait_after`), and is refused unread.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from demux_core.errors import DemuxError
from storage.accounts import ROLES, Account, AccountStore, accounts_path

SESSION_IDLE_S = 8 * 3600.0
SESSION_MAX_S = 7 * 24 * 3600.0
FREE_FAILURES = 5
FAILURE_WINDOW_S = 15 * 60.0
FIRST_WAIT_S = 30.0
MAX_WAIT_S = 15 * 60.0
MIN_PASSWORD = 10
TOUCH_AFTER_S = 60.0  # a session's last use is written at most this often
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# What each role may do (pages check these; the service refuses the rest).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"annotate", "review", "export", "manage", "accounts"}),
    "reviewer": frozenset({"annotate", "review"}),
    "annotator": frozenset({"annotate"}),
}


class SignInError(DemuxError):
    """A refused sign-in: wrong name or password, or too many recent failures
    (``wait_s`` > 0: try again after that many seconds)."""

    def __init__(self, message: str, wait_s: float = 0.0) -> None:
        super().__init__(message)
        self.wait_s = wait_s


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to."""

    username: str
    role: str

    def may(self, action: str) -> bool:
        """Whether the role allows ``action`` (a key of :data:`PERMISSIONS`' sets)."""
        return action in PERMISSIONS[self.role]


def wait_after(failures: int) -> float:
    """Seconds to wait before the next try after ``failures`` recent failures (0 for the
    first :data:`FREE_FAILURES`, then 30 s, 60 s, ... up to 15 minutes)."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (failures - FREE_FAILURES))


def digest(token: str) -> str:
    """The SHA-256 of a session token (what the server keeps)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Accounts, sign-in and sessions over one :class:`~storage.accounts.AccountStore`."""

    def __init__(self, store: AccountStore, clock: Callable[[], float] = time.time) -> None:
        from argon2 import PasswordHasher

        self.store, self.clock = store, clock
        self.hasher = PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_hex(8))  # unknown names cost the same

    def required(self) -> bool:
        """Whether sign-in is on (the server has at least one account)."""
        return self.store.has_accounts()

    def add(self, username: str, password: str, role: str) -> Account:
        """Create an account (ValueError naming what is wrong with the name, password or role)."""
        if not _NAME.match(username):
            raise ValueError(f"account name {username!r}: use 1-64 letters, digits, '.', '_' "
                             "or '-', starting with a letter or digit")  # fmt: skip
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        check_password(password)
        return self.store.add_account(username, role, self.hasher.hash(password), self.clock())

    def set_password(self, username: str, password: str) -> None:
        """A new password (ends the account's sessions)."""
        check_password(password)
        if self.store.account(username) is None:
            raise ValueError(f"no account named {username!r}")
        self.store.set_password_hash(username, self.hasher.hash(password))

    def sign_in(self, username: str, password: str) -> str:
        """Check the password and open a session; returns its token (for the cookie).

        Raises
        ------
        SignInError
            Wrong name or password (one message for both), or still waiting after too many
            recent failures (``wait_s``; the password is not even checked then).
        """
        from argon2.exceptions import InvalidHashError, VerificationError

        now = self.clock()
        failures = self.store.failures_since(username, now - FAILURE_WINDOW_S)
        if failures:
            ready_at = failures[-1] + wait_after(len(failures))
            if now < ready_at:
                wait = ready_at - now
                raise SignInError(f"Too many failed sign-ins for {username!r}: try again in "
                                  f"{wait:.0f} s.", wait)  # fmt: skip
        account = self.store.account(username)
        try:
            self.hasher.verify(account.password_hash if account else self._dummy, password)
            ok = account is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self.store.add_failure(username, now)
            count = len(failures) + 1
            wait = wait_after(count)
            then = f" Wait {wait:.0f} s before the next try." if wait else (
                f" {count} of {FREE_FAILURES} tries before sign-in slows down.")  # fmt: skip
            raise SignInError("Wrong account name or password." + then, wait)
        self.store.clear_failures(username)
        if self.hasher.check_needs_rehash(account.password_hash):
            self.store.set_password_hash(username, self.hasher.hash(password))
        token = secrets.token_urlsafe(32)
        self.store.add_session(digest(token), username, now)
        return token

    def resolve(self, token: str | None) -> SignedIn | None:
        """The live session's account (and mark it used), or None (unknown or expired)."""
        if not token:
            return None
        now = self.clock()
        row = self.store.session(digest(token))
        if row is None:
            return None
        if now - row.last_seen > SESSION_IDLE_S or now - row.created_at > SESSION_MAX_S:
            self.store.end_session(row.token_digest)
            return None
        account = self.store.account(row.username)
        if account is None:
            return None
        if now - row.last_seen > TOUCH_AFTER_S:  # not one durable write per page rerun
            self.store.touch_session(row.token_digest, now)
        return SignedIn(account.username, account.role)

    def sign_out(self, token: str | None) -> None:
        if token:
            self.store.end_session(digest(token))


def accounts_file() -> Path:
    """The server's accounts file (``<projects>/.team/accounts.db``; it may not exist)."""
    return accounts_path()


def labeling_accounts(path: Path | None = None) -> int:
    """How many accounts may label (0 while the server has no accounts file)."""
    path = path or accounts_file()
    if not path.is_file():
        return 0
    store = AccountStore(path)
    try:
        return sum("annotate" in PERMISSIONS[account.role] for account in store.accounts())
    finally:
        store.close()


def open_accounts(path: Path | None = None) -> Accounts:
    """The accounts in ``path`` (default :func:`accounts_file`), created on first use."""
    return Accounts(AccountStore(path or accounts_file()))


def check_password(password: str) -> None:
    """ValueError unless the password has at least :data:`MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
