"""Accounts: argon2id hashes only, expiring sessions, slowed-down guessing, the CLI."""

from __future__ import annotations

import io

import pytest

from service.team.accounts import (
    FREE_FAILURES,
    SESSION_IDLE_S,
    Accounts,
    SignInError,
    digest,
    wait_after,
)
from storage.accounts import AccountStore, accounts_path


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def accounts(tmp_path):
    store = AccountStore(tmp_path / ".team" / "accounts.db")
    clock = Clock()
    yield Accounts(store, clock), clock
    store.close()


def test_only_a_salted_argon2id_hash_is_stored(accounts):
    team, _ = accounts
    assert not team.required()
    team.add("ana", "correct horse battery", "annotator")
    team.add("ben", "correct horse battery", "admin")
    stored = [a.password_hash for a in team.store.accounts()]
    assert all(h.startswith("$argon2id$") for h in stored)
    assert stored[0] != stored[1]  # salted: one password, two hashes
    assert "correct horse" not in team.store.path.read_bytes().decode("latin-1")
    assert team.required()


def test_bad_names_passwords_and_roles_are_refused_with_the_reason(accounts):
    team, _ = accounts
    with pytest.raises(ValueError, match="at least 10 characters"):
        team.add("ana", "short", "annotator")
    with pytest.raises(ValueError, match="account name"):
        team.add("../ana", "long enough password", "annotator")
    with pytest.raises(ValueError, match="role must be one of"):
        team.add("ana", "long enough password", "owner")
    team.add("ana", "long enough password", "annotator")
    with pytest.raises(ValueError, match="exists"):
        team.add("ana", "another long password", "admin")


def test_a_session_resolves_to_its_account_until_it_expires_or_signs_out(accounts):
    team, clock = accounts
    team.add("ana", "long enough password", "reviewer")
    token = team.sign_in("ana", "long enough password")
    signed = team.resolve(token)
    assert (signed.username, signed.role) == ("ana", "reviewer")
    assert signed.may("review") and not signed.may("export")
    assert team.store.session(digest(token)) is not None and team.store.session(token) is None
    clock.now += 30
    assert team.resolve(token) is not None
    assert team.store.session(digest(token)).last_seen == clock.now - 30  # no write per rerun
    clock.now += SESSION_IDLE_S - 31
    assert team.resolve(token) is not None  # used just in time: the idle clock restarts
    assert team.store.session(digest(token)).last_seen == clock.now
    clock.now += SESSION_IDLE_S + 1
    assert team.resolve(token) is None  # idle too long
    second = team.sign_in("ana", "long enough password")
    team.sign_out(second)
    assert team.resolve(second) is None and team.resolve("made-up") is None


def test_wrong_passwords_are_slowed_down_after_five(accounts):
    team, clock = accounts
    team.add("ana", "long enough password", "annotator")
    for count in range(1, FREE_FAILURES):
        with pytest.raises(SignInError, match="Wrong account name or password") as refused:
            team.sign_in("ana", "guess guess guess")
        assert refused.value.wait_s == 0
        assert f"{count} of {FREE_FAILURES} tries before sign-in slows down" in str(refused.value)
        clock.now += 1
    with pytest.raises(SignInError) as fifth:
        team.sign_in("ana", "guess guess guess")
    assert fifth.value.wait_s == wait_after(FREE_FAILURES) == 30
    assert "Wait 30 s before the next try" in str(fifth.value)
    clock.now += 10
    with pytest.raises(SignInError, match="Too many failed sign-ins") as waiting:
        team.sign_in("ana", "long enough password")  # even the right password waits
    assert waiting.value.wait_s == pytest.approx(20)
    clock.now += 21
    with pytest.raises(SignInError):  # the sixth failure doubles the wait
        team.sign_in("ana", "guess guess guess")
    assert wait_after(FREE_FAILURES + 1) == 60
    clock.now += 61
    assert team.resolve(team.sign_in("ana", "long enough password")).username == "ana"
    assert team.store.failures_since("ana", 0) == []  # a success clears the count


def test_unknown_names_fail_like_wrong_passwords(accounts):
    team, _ = accounts
    team.add("ana", "long enough password", "annotator")
    with pytest.raises(SignInError, match="Wrong account name or password"):
        team.sign_in("nobody", "long enough password")


def test_a_new_password_ends_the_accounts_sessions(accounts):
    team, _ = accounts
    team.add("ana", "long enough password", "annotator")
    token = team.sign_in("ana", "long enough password")
    team.set_password("ana", "a different long password")
    assert team.resolve(token) is None
    with pytest.raises(SignInError):
        team.sign_in("ana", "long enough password")


def test_the_command_line_adds_lists_and_removes_accounts(tmp_path, monkeypatch, capsys):
    from service.team.__main__ import main

    monkeypatch.setenv("DEMUX_PROJECTS", str(tmp_path / "projects"))
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert main(["add-account", "ana", "--role", "admin", "--password-stdin"]) == 0
    assert "sign-in is now required" in capsys.readouterr().out
    assert accounts_path().is_file() and accounts_path().parent.name == ".team"
    assert main(["list"]) == 0 and "ana\tadmin" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["add-account", "ben", "--role", "annotator", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert main(["remove-account", "ana"]) == 0
    assert "removed ana" in capsys.readouterr().out
    assert main(["list"]) == 0 and capsys.readouterr().out == ""
