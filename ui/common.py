"""What every page shares: the worker singleton, the open project, the sidebar, errors."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

from service.projects import clean_unfinished_builds, list_projects, open_store
from service.round_control import Phase, round_state
from service.runners import current_background_runner, current_runner
from service.worker import RoundWorker
from storage import ProjectStore, StorageError, project_path
from ui.navigation import ensure_navigation

PROJECT_KEY = "project_name"
ANNOTATOR_KEY = "annotator"
SESSION_KEY = "_annotation_session"
SEEN_ROUND_KEY = "_seen_round_state"  # (round id, phase) at the sidebar's last poll
MARGIN_HELP = ("How far the model's first guess is ahead of its second (difference of their log "
               "probabilities): 0 is a coin toss, the most uncertain; selection prefers low "
               "margins.")  # fmt: skip
IMPORT_NOTES_KEY = "_import_notes"  # what the last import changed, shown once
POLL_SECONDS = 2.0  # while a round runs: its progress bar moves
IDLE_POLL_SECONDS = 15.0  # otherwise: only another session can change the round


@st.cache_resource
def round_worker() -> RoundWorker:
    """The one background worker of this server process."""
    clean_unfinished_builds()  # projects whose creation was killed midway (never listed)
    worker = RoundWorker(open_store, current_runner, current_background_runner)
    worker.start()
    return worker


def current_project_name() -> str | None:
    """The open project: session state first, then the ``?project=`` of a reloaded page."""
    name = st.session_state.get(PROJECT_KEY) or st.query_params.get("project")
    if name and project_path(name).is_file():
        st.session_state[PROJECT_KEY] = name
        return name
    return None


def set_current_project(name: str | None) -> None:
    """Open another project (``None`` closes it) for this browser session."""
    st.session_state[PROJECT_KEY] = name
    if name is None:
        st.query_params.pop("project", None)
    else:
        st.query_params["project"] = name


@contextlib.contextmanager
def project_store() -> Iterator[ProjectStore | None]:
    """The open project's store for this script run (closed afterwards); ``None`` if none."""
    name = current_project_name()
    if name is None:
        yield None
        return
    try:
        store = open_store(project_path(name))
    except StorageError as error:
        error_box(f"Cannot open project {name}", str(error))
        yield None
        return
    try:
        st.query_params["project"] = name
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def page(title: str, action: str | None = None) -> Iterator[ProjectStore | None]:
    """Every project page's preamble: navigation guard, title, the open project's store.

    Yields ``None`` (after a hint or an error) when no project can be opened, or when sign-in
    is on and the account's role may not do ``action`` (a key of the role permissions).
    """
    from ui.sign_in import may, signed_in_user

    ensure_navigation()
    st.title(title)
    if action is not None and not may(action):
        user = signed_in_user()
        st.error(f"The {user.role if user else 'signed-out'} role cannot open {title}; "
                 "ask an admin.", icon=":material/lock:")  # fmt: skip
        yield None
        return
    show_import_notes()
    if require_project() is None:
        yield None
        return
    with project_store() as store:
        yield store


def remember_import_notes(notes: list[str]) -> None:
    """Keep what an import changed for the pages this session shows, until dismissed."""
    st.session_state[IMPORT_NOTES_KEY] = list(notes)


def show_import_notes() -> None:
    """What the last import changed in the data (plain text), until dismissed."""
    notes = st.session_state.get(IMPORT_NOTES_KEY)
    if not notes:
        return
    st.warning("The import changed some of the data:", icon=":material/build:")
    for note in notes:
        st.text(note)
    if st.button("Dismiss", key="dismiss_import_notes"):
        st.session_state.pop(IMPORT_NOTES_KEY, None)
        st.rerun()


def require_project() -> str | None:
    """The open project's name, or a hint to open one (returns ``None``)."""
    name = current_project_name()
    if name is None:
        st.info("Open or create a project on the Projects page first.")
        st.page_link("pages/projects.py", label="Go to Projects")
    return name


def error_box(title: str, detail: str) -> None:
    """An error: a fixed title, and the (untrusted) detail as plain text."""
    st.error(title, icon=":material/error:")
    st.text(detail)


def annotator_name() -> str | None:
    """The signed-in account's name, else the name typed in the sidebar (``None`` until
    one is typed)."""
    from ui.sign_in import signed_in_user

    user = signed_in_user()
    if user is not None:
        return user.username
    return (st.session_state.get(ANNOTATOR_KEY) or "").strip() or None


def annotation_session() -> str:
    """This browser session's id: what claims an item, so each tab is served its own."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = uuid.uuid4().hex
    return st.session_state[SESSION_KEY]


def _remember_annotator() -> None:
    name = annotator_name()
    if name is None:
        st.query_params.pop(ANNOTATOR_KEY, None)
    else:
        st.query_params[ANNOTATOR_KEY] = name


def project_paths() -> list[Path]:
    return list_projects()


def render_sidebar() -> None:
    """Project name, the annotator (the signed-in account, or a typed name while sign-in is
    off) and the live round status."""
    from ui.sign_in import render_account, signed_in_user

    with st.sidebar:
        name = current_project_name()
        st.caption("Project")
        st.text(name or "none open")
        user = signed_in_user()
        if user is not None:
            render_account(user)
        else:
            _annotator_field()
        if name is not None:
            if polls_fast(st.session_state.get(SEEN_ROUND_KEY)):
                round_status_panel()
            else:
                idle_round_status_panel()


def _annotator_field() -> None:
    if ANNOTATOR_KEY not in st.session_state and st.query_params.get(ANNOTATOR_KEY):
        # a reload or a reconnect after a restart keeps the name (it is in the URL)
        st.session_state[ANNOTATOR_KEY] = st.query_params[ANNOTATOR_KEY]
    st.text_input(
        "Annotator name",
        key=ANNOTATOR_KEY,
        placeholder="your name",
        help="stored with every label you save; Undo takes back only your own labels",
    )
    _remember_annotator()


def polls_fast(seen: tuple[int | None, str] | None) -> bool:
    """Whether the sidebar polls every ``POLL_SECONDS`` (else ``IDLE_POLL_SECONDS``).

    ``seen`` is the (round id, phase) of the last poll: fast while a round runs and before
    the first poll, slow otherwise. A poll that sees another phase reruns the app, so a
    round started anywhere switches the sidebar to fast polling at once.
    """
    return seen is None or seen[1] == Phase.RUNNING.value


def poll_round_status() -> None:
    """Shows the latest round's status; reruns the app when it changed since the last poll.

    Each poll is a fragment run, and Streamlit can drop a button press that races one, so
    the sidebar polls fast only while a round runs (a change of phase reruns the app,
    which picks the other panel).
    """
    with project_store() as store:
        if store is None:
            return
        state = round_state(store, round_worker())
    show_round_status(state)
    seen = (state.round.id if state.round else None, state.phase.value)
    previous = st.session_state.get(SEEN_ROUND_KEY)
    st.session_state[SEEN_ROUND_KEY] = seen
    if previous is not None and previous != seen:
        st.rerun()


@st.fragment(run_every=POLL_SECONDS)
def round_status_panel() -> None:
    """The sidebar's round status while a round runs (or before the first poll)."""
    poll_round_status()


@st.fragment(run_every=IDLE_POLL_SECONDS)
def idle_round_status_panel() -> None:
    """The sidebar's round status while no round runs."""
    poll_round_status()


def show_round_status(state) -> None:
    """A short description of the latest round with its progress bar."""
    if state.round is None:
        st.caption("No round yet")
        return
    current = state.round
    label = f"Round {current.number}: {current.status}"
    if state.phase == Phase.RUNNING:
        stage = current.stage or current.status
        st.progress(float(current.progress or 0.0), text=f"{label} ({stage})")
    elif state.phase == Phase.INTERRUPTED:
        st.warning(f"Round {current.number} was interrupted", icon=":material/pause_circle:")
    elif state.phase == Phase.FAILED:
        st.error(f"Round {current.number} failed", icon=":material/error:")
    else:
        st.caption(label)
