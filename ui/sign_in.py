"""Sign-in for a team: the form, the session cookie, and who is signed in.

Off while the server has no account (one local user, as before). With accounts every page
first asks :func:`current_user`; a signed-out request of any URL gets only the sign-in form.
The session token lives in a ``SameSite=Strict`` cookie, so a reload or a second tab of the
same browser stays signed in; the server keeps only its digest
(:mod:`service.team.accounts`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

from service.team.accounts import Accounts, SignedIn, SignInError, accounts_file, open_accounts

COOKIE = "demux_session"
TOKEN_KEY = "_session_token"
USER_KEY = "_signed_in_user"  # this run's SignedIn (set by current_user)
_COOKIE_JS = """
export default function ({ data }) {
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const value = data.token ? encodeURIComponent(data.token) : "";
  const age = data.token ? data.max_age : 0;
  document.cookie = `${data.name}=${value}; Path=/; Max-Age=${age}; SameSite=Strict${secure}`;
}
"""


@st.cache_resource
def _accounts_at(path: str) -> Accounts:
    return open_accounts(Path(path))


def team_accounts() -> Accounts:
    """The server's accounts (one store per accounts file and server process)."""
    return _accounts_at(str(accounts_file()))


@cache
def _cookie_writer():
    return st.components.v2.component("demux_session_cookie", html="<span></span>",
                                      js=_COOKIE_JS)  # fmt: skip


def _write_cookie(token: str | None) -> None:
    """Set (or, with ``None``, clear) the session cookie from the page (an invisible element:
    it runs on every script run that draws it, so it is drawn on every signed-in run)."""
    from service.team.accounts import SESSION_MAX_S

    _cookie_writer()(key="session_cookie",
                     data={"name": COOKIE, "token": token, "max_age": int(SESSION_MAX_S)})  # fmt: skip


def sign_in_required() -> bool:
    """Whether this server asks for sign-in (it has at least one account; without an accounts
    file nothing is created)."""
    return accounts_file().is_file() and team_accounts().required()


def current_user() -> SignedIn | None:
    """Who this browser session is signed in as (``None``: nobody, or sign-in is off)."""
    if not sign_in_required():
        st.session_state.pop(USER_KEY, None)  # accounts removed since: no stale name
        return None
    token = st.session_state.get(TOKEN_KEY) or st.context.cookies.get(COOKIE)
    user = team_accounts().resolve(token)
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(USER_KEY, None)
    else:
        st.session_state[TOKEN_KEY] = token
        st.session_state[USER_KEY] = user
    return user


def signed_in_user() -> SignedIn | None:
    """The user :func:`current_user` found at the start of this run (no database read)."""
    return st.session_state.get(USER_KEY)


def may(action: str) -> bool:
    """Whether this session may do ``action`` (always, while sign-in is off: a signed-out
    session with sign-in on never reaches a page, :func:`ui.navigation.run_app`)."""
    user = signed_in_user()
    return user is None or user.may(action)


def render_sign_in() -> None:
    """The sign-in form (the only thing a signed-out request sees)."""
    if st.context.cookies.get(COOKIE):
        _write_cookie(None)  # an ended or expired session's cookie
    st.title("Sign in to DeMuX Studio")
    with st.form("sign_in"):
        name = st.text_input("Account name")
        password = st.text_input("Password", type="password")
        pressed = st.form_submit_button("Sign in", type="primary")
    if not pressed:
        return
    try:
        token = team_accounts().sign_in(name.strip(), password)
    except SignInError as error:
        st.error(str(error), icon=":material/lock:")
        return
    st.session_state[TOKEN_KEY] = token
    st.rerun()  # the next run draws the pages, and the sidebar sets the cookie


def render_account(user: SignedIn) -> None:
    """The sidebar's account line and Sign out button."""
    st.caption("Signed in as")
    st.text(f"{user.username} ({user.role})")
    if st.button("Sign out", key="sign_out"):
        team_accounts().sign_out(st.session_state.pop(TOKEN_KEY, None))
        st.rerun()
    _write_cookie(st.session_state.get(TOKEN_KEY))
