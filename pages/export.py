"""Export: labeled data in every format, the model folder, the rounds table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from pages.common import project_store, require_project
from service.exporting import export_formats, labeled_data, model_folder, rounds_csv
from service.projects import open_store
from storage import ProjectStore

FORMAT_TITLES = {
    "conll": "CoNLL",
    "jsonl": "JSON Lines",
    "csv": "CSV",
    "hf": "datasets folder (zip)",
}


def lazy_labeled_data(path: str, fmt: str) -> Callable[[], bytes]:
    """Bytes of an export, made when the button is clicked (on a fresh store connection)."""

    def build() -> bytes:
        store = open_store(Path(path))
        try:
            return labeled_data(store, fmt).data
        finally:
            store.close()

    return build


def data_section(store: ProjectStore) -> None:
    path = str(store.path)
    labeled = len(store.labeled_examples())
    st.subheader("Labeled data")
    st.caption(f"{labeled} labeled examples (seed pool + annotated source points).")
    columns = st.columns(4)
    for column, fmt in zip(columns, export_formats(store.info().task), strict=False):
        if fmt == "hf":  # writing a datasets folder is slow: only when clicked
            name = f"{store.info().name}-labeled.zip"
            data = lazy_labeled_data(path, fmt)
            mime = "application/zip"
        else:
            download = labeled_data(store, fmt)
            name, data, mime = download.file_name, download.data, download.mime
        column.download_button(FORMAT_TITLES[fmt], data=data, file_name=name, mime=mime,
                               key=f"export_{fmt}", on_click="ignore")  # fmt: skip


def main() -> None:
    st.title("Export")
    if require_project() is None:
        return
    with project_store() as store:
        if store is None:
            return
        data_section(store)
        st.subheader("Model")
        model = model_folder(store)
        if model is None:
            st.caption("No trained model folder yet (it is saved after a round trains).")
        else:
            st.download_button("Model folder (zip)", data=model.data, file_name=model.file_name,
                               mime=model.mime, key="export_model", on_click="ignore")  # fmt: skip
        st.subheader("Rounds")
        table = rounds_csv(store)
        st.download_button("Rounds table (CSV)", data=table.data, file_name=table.file_name,
                           mime=table.mime, key="export_rounds", on_click="ignore")  # fmt: skip


main()
