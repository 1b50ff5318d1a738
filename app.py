"""DeMuX Studio: ``streamlit run app.py``.

Pages render and call :mod:`service`; rounds run on one background worker thread.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import streamlit as st  # noqa: E402

from pages.common import render_sidebar  # noqa: E402

PAGES = (
    ("pages/projects.py", "Projects", ":material/folder_open:"),
    ("pages/annotate.py", "Annotate", ":material/edit_note:"),
    ("pages/map.py", "Map", ":material/scatter_plot:"),
    ("pages/rounds.py", "Rounds", ":material/monitoring:"),
    ("pages/export.py", "Export", ":material/download:"),
)


def main() -> None:
    st.set_page_config(page_title="DeMuX Studio", page_icon=":material/translate:", layout="wide")
    navigation = st.navigation(
        [
            st.Page(path, title=title, icon=icon, default=i == 0)
            for i, (path, title, icon) in enumerate(PAGES)
        ]
    )
    render_sidebar()
    navigation.run()


main()
