"""Projects: open one, create a demo, or create one from data files."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demux_core.errors import DemuxError
from service.demo import DemoSpec, demo_specs, download_instructions
from service.demo_download import demo_data_root, download_demo_data
from service.projects import (
    create_demo_project,
    delete_project,
    list_projects,
    open_store,
)
from service.round_control import start_next_round
from storage import project_path
from ui.common import error_box, remember_import_notes, round_worker, set_current_project
from ui.navigation import ensure_navigation
from ui.new_project import new_project_section
from ui.sign_in import may


def open_section() -> None:
    st.subheader("Open a project")
    names = [path.stem for path in list_projects()]
    if not names:
        st.caption("No projects yet.")
        return
    choice = st.selectbox("Project", names, key="open_choice")
    if st.button("Open", key="open_project"):
        set_current_project(choice)
        st.rerun()


def delete_section() -> None:
    """Delete a project, after typing its name; it goes to the trash folder, not away."""
    names = [path.stem for path in list_projects()]
    if not names:
        return
    with st.expander("Delete a project"):
        choice = st.selectbox("Project to delete", names, key="delete_choice")
        typed = st.text_input(f"Type {choice} to confirm", key="delete_confirm")
        if st.button("Delete project", key="delete_project", icon=":material/delete:"):
            if typed.strip() != choice:
                st.warning("Type the project's name exactly to confirm; nothing was deleted.")
                return
            try:
                folder = delete_project(choice, round_worker())
            except (DemuxError, ValueError) as error:
                error_box("Could not delete the project", str(error))
                return
            if st.session_state.get("project_name") == choice:
                set_current_project(None)
            st.success(f"Moved {choice} to the trash folder:")
            st.text(str(folder))


def _create_demo(spec: DemoSpec, root: Path) -> None:
    name = f"demo-{spec.key}"
    if project_path(name).exists():
        set_current_project(name)
        st.info(f"Demo project {name} already exists: opened it.")
        return
    notes: list[str] = []
    with st.spinner("Reading and sampling the demo data..."):
        path = create_demo_project(spec, root, name, notes=notes)
    remember_import_notes(notes)
    store = open_store(path)
    try:
        start_next_round(store, round_worker())
    finally:
        store.close()
    set_current_project(name)
    st.switch_page("pages/annotate.py")


def demo_card(spec: DemoSpec, root: Path | None) -> None:
    """One demo: a create button when its data is there, else how to get the data."""
    with st.container(border=True):
        st.markdown(f"**{spec.title}**")
        st.caption(
            f"{len(spec.source_languages)} source languages x {spec.per_source_language} "
            f"sentences, budget {spec.budget} per round"
        )
        if root is not None:
            if st.button("Create demo project", key=f"demo_{spec.key}", type="primary"):
                try:
                    _create_demo(spec, root)
                except (DemuxError, OSError, ValueError) as error:
                    error_box("Could not create the demo project", str(error))
            return
        st.text(download_instructions(spec))
        if st.button("Download demo data", key=f"download_{spec.key}"):
            bar = st.progress(0.0, text="starting download")
            try:
                download_demo_data(spec, lambda fraction, name: bar.progress(fraction, text=name))
            except OSError as error:
                error_box("Download failed", str(error))
                return
            st.rerun()


def demo_section(shared_root: Path | None) -> None:
    st.subheader("Demo projects")
    for spec in demo_specs().values():
        demo_card(spec, demo_data_root(spec, shared_root))


def main() -> None:
    from demux_core.data.readers import shared_data_dir

    ensure_navigation()
    st.title("DeMuX Studio")
    st.caption(
        "Pick the source-language sentences worth labeling for your target language, "
        "label them here, and watch the model improve round by round."
    )
    open_section()
    if not may("manage"):
        st.caption("Only an admin can create or delete projects.")
        return
    delete_section()
    demo_section(shared_data_dir())
    new_project_section()


main()
