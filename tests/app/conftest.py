"""AppTest fixtures: a tmp ``$DEMUX_HOME``, the fake runner, tiny projects."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from service.fake_runner import FakeRunner
from service.projects import open_store
from service.runners import use_runner

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = str(REPO_ROOT / "app.py")


@pytest.fixture
def demux_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEMUX_PROJECTS", raising=False)
    return tmp_path / "home"


@pytest.fixture
def fake_runner():
    """Every round in this test runs the fake runner (set back afterwards)."""
    runner = FakeRunner()
    use_runner(lambda: runner)
    yield runner
    use_runner(None)


def open_app(project: str | None, page: str | None = None, annotator: str = "ann") -> AppTest:
    """An AppTest of app.py with ``project`` open, switched to ``page``, run once."""
    app = AppTest.from_file(APP, default_timeout=30)
    if project is not None:
        app.session_state["project_name"] = project
    app.session_state["annotator"] = annotator
    app.run()
    if page is not None:
        app.switch_page(page).run()
    return app


def wait_for_status(path: Path, statuses: tuple[str, ...], timeout: float = 20) -> str:
    """Poll the store until the latest round has one of ``statuses``; returns it."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        store = open_store(path)
        try:
            current = store.current_round()
            status = current.status if current else None
        finally:
            store.close()
        if status in statuses:
            return status
        time.sleep(0.05)
    raise AssertionError(f"round stayed {status!r}, expected one of {statuses}")


def texts(app: AppTest) -> str:
    """Every markdown, text, caption, html, info/warning/error/success body of the page."""
    parts = []
    for kind in (
        "markdown",
        "text",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "title",
        "subheader",
    ):
        parts.extend(str(element.value) for element in app.get(kind))
    parts.extend(element.proto.body for element in app.get("html"))
    parts.extend(element.proto.text for element in app.get("progress"))
    return "\n".join(parts)


def label_first_item(store, label) -> None:
    """Save ``label`` on the latest round's first unhandled item, as an annotator would."""
    from service.annotation import next_unhandled, round_items, save_label

    current = store.current_round()
    item = next_unhandled(round_items(store, current.id))
    save_label(store, current.id, item, label, "ann")


def pad_data(app: AppTest, key: str = "label_pad") -> dict:
    """The data the page gave the browser widget ``key`` (the item shown and its choices)."""
    import json

    widgets = [e for e in app.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    assert len(widgets) == 1, f"expected one {key} widget, found {len(widgets)}"
    return json.loads(widgets[0].proto.json)
