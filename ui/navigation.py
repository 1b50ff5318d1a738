"""The app's pages and navigation, and the guard that makes every entry URL use them.

Streamlit starts a fresh server in its old "pages folder" mode because a ``pages/`` folder
sits beside ``app.py``; it leaves that mode only once ``st.navigation`` has run. When the
first request is a page URL (a tab reconnecting to ``/annotate?project=...`` after a
restart), Streamlit would run that page file on its own, listing every file of the folder
and skipping ``app.py``'s sidebar. :func:`ensure_navigation` notices such a run and runs
the app there instead (:func:`run_app`: its ``st.navigation`` replaces the folder listing
and ends that mode for the whole server), so the same URL renders the real page.
"""

from __future__ import annotations

import threading

import streamlit as st

PAGES = (
    ("pages/projects.py", "Projects", ":material/folder_open:"),
    ("pages/annotate.py", "Annotate", ":material/edit_note:"),
    ("pages/map.py", "Map", ":material/scatter_plot:"),
    ("pages/rounds.py", "Rounds", ":material/monitoring:"),
    ("pages/agreement.py", "Agreement", ":material/handshake:"),
    ("pages/review.py", "Review", ":material/rate_review:"),
    ("pages/export.py", "Export", ":material/download:"),
)
# With sign-in on, a page listed here is shown only to roles allowed the action
# (service.team.accounts.PERMISSIONS); for the others its URL says the role may not open it.
PAGE_ACTIONS = {"pages/export.py": "export", "pages/agreement.py": "review",
                "pages/review.py": "review"}  # fmt: skip
_run = threading.local()  # Streamlit runs each session's script on its own thread


def allowed(path: str, user) -> bool:
    """Whether ``user`` may open the page at ``path`` (always while sign-in is off)."""
    return user is None or path not in PAGE_ACTIONS or user.may(PAGE_ACTIONS[path])


def _url_path(path: str) -> str:
    return path.removeprefix("pages/").removesuffix(".py")


def _locked(title: str, user):
    def render() -> None:
        st.title(title)
        st.error(f"The {user.role} role cannot open {title}; ask an admin.",
                 icon=":material/lock:")  # fmt: skip

    return render


def _navigation(user=None, position: str = "sidebar"):
    pages = []
    for i, (path, title, icon) in enumerate(PAGES):
        if allowed(path, user):
            pages.append(st.Page(path, title=title, icon=icon, default=i == 0))
        else:  # the URL still resolves (no "page not found"), to a refusal, out of the menu
            pages.append(st.Page(_locked(title, user), title=title, icon=icon,
                                 url_path=_url_path(path), visibility="hidden"))  # fmt: skip
    return st.navigation(pages, position=position)


def _sign_in_navigation(render_sign_in):
    """Every page's URL leads to the sign-in form (so a signed-out link never 404s)."""
    return st.navigation(
        [st.Page(render_sign_in, title="Sign in", default=True)]
        + [
            st.Page(render_sign_in, title=title, url_path=_url_path(path), visibility="hidden")
            for path, title, _ in PAGES[1:]
        ],  # fmt: skip
        position="hidden",
    )


def run_app(render_sidebar) -> None:
    """``app.py``'s body: page config, sign-in when the server has accounts, the navigation,
    the sidebar, then the chosen page."""
    from ui.sign_in import current_user, render_sign_in, sign_in_required

    st.set_page_config(page_title="DeMuX Studio", page_icon=":material/translate:", layout="wide")
    user = current_user()
    if user is None and sign_in_required():  # any URL of a signed-out session: the form only
        _run.through_app = True
        try:
            _sign_in_navigation(render_sign_in).run()
        finally:
            _run.through_app = False
        return
    navigation = _navigation(user)
    _run.through_app = True
    try:
        render_sidebar()
        navigation.run()
    finally:
        _run.through_app = False


def ensure_navigation() -> None:
    """First call of every page: when the page was run on its own, run the app instead."""
    if getattr(_run, "through_app", False):
        return
    from ui.common import render_sidebar

    run_app(render_sidebar)  # runs this same page again, through the real navigation
    st.stop()
