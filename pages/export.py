"""Export: labeled data in every format, the model folder, the rounds table.

Nothing is built when the page loads: every file is made when its button is clicked
(Streamlit calls the button's callable on a separate thread), and the labelled-data files
are cached by the project's labels fingerprint, so a second click is instant and a new
label or an undo makes a fresh file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from service.exporting import (
    Download,
    export_formats,
    labeled_data,
    labels_version,
    model_folder,
    rounds_csv,
)
from service.projects import open_store
from storage import ProjectStore
from ui.common import page

FORMAT_TITLES = {
    "conll": "CoNLL",
    "jsonl": "JSON Lines",
    "csv": "CSV",
    "hf": "datasets folder (zip)",
}
FORMAT_SUFFIX = {"conll": ".conll", "jsonl": ".jsonl", "csv": ".csv", "hf": ".zip"}
FORMAT_MIME = {"conll": "text/plain", "jsonl": "application/jsonl", "csv": "text/csv",
               "hf": "application/zip"}  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def cached_labeled_data(project_file: str, fmt: str, version: str) -> bytes:
    """The bytes of one export (``version`` is :func:`labels_version`: the cache key)."""
    store = open_store(Path(project_file))
    try:
        return labeled_data(store, fmt).data
    finally:
        store.close()


def _on_fresh_store(project_file: str, build: Callable[[ProjectStore], Download | None]) -> bytes:
    store = open_store(Path(project_file))
    try:
        download = build(store)
        return b"" if download is None else download.data
    finally:
        store.close()


def data_section(store: ProjectStore) -> None:
    """One download button per format; the file is made on click."""
    path, name = str(store.path), store.info().name
    version = labels_version(store)
    labeled = len(store.labeled_examples())
    st.subheader("Labeled data")
    st.caption(f"{labeled} labeled examples (seed pool + annotated source points).")
    columns = st.columns(4)
    for column, fmt in zip(columns, export_formats(store.info().task), strict=False):
        column.download_button(
            FORMAT_TITLES[fmt], data=lambda fmt=fmt: cached_labeled_data(path, fmt, version),
            file_name=f"{name}-labeled{FORMAT_SUFFIX[fmt]}", mime=FORMAT_MIME[fmt],
            key=f"export_{fmt}", on_click="ignore",
        )  # fmt: skip


def model_section(store: ProjectStore) -> None:
    """The newest checkpoint as a zip, zipped on click (hundreds of MB)."""
    st.subheader("Model")
    latest = next((r for r in reversed(store.rounds()) if r.checkpoint_path
                   and Path(r.checkpoint_path).is_dir()), None)  # fmt: skip
    if latest is None:
        st.caption("No trained model folder yet (it is saved after a round trains).")
        return
    path = str(store.path)
    st.caption(f"Round {latest.number}'s fine-tuned model (zipped when you click; takes a while).")
    st.download_button("Model folder (zip)", data=lambda: _on_fresh_store(path, model_folder),
                       file_name=f"{store.info().name}-model-round{latest.number}.zip",
                       mime="application/zip", key="export_model", on_click="ignore")  # fmt: skip


def main() -> None:
    with page("Export", action="export") as store:
        if store is None:
            return
        data_section(store)
        model_section(store)
        st.subheader("Rounds")
        path = str(store.path)
        st.download_button("Rounds table (CSV)", data=lambda: _on_fresh_store(path, rounds_csv),
                           file_name=f"{store.info().name}-rounds.csv", mime="text/csv",
                           key="export_rounds", on_click="ignore")  # fmt: skip


main()
