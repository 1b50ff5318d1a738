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
    ("pages/export.py", "Export", ":material/download:"),
)
_run = threading.local()  # Streamlit runs each session's script on its own thread


def _navigation(position: str = "sidebar"):
    return st.navigation(
        [
            st.Page(path, title=title, icon=icon, default=i == 0)
            for i, (path, title, icon) in enumerate(PAGES)
        ],
        position=position,
    )


def run_app(render_sidebar) -> None:
    """``app.py``'s body: page config, the navigation, the sidebar, then the chosen page."""
    st.set_page_config(page_title="DeMuX Studio", page_icon=":material/translate:", layout="wide")
    navigation = _navigation()
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
