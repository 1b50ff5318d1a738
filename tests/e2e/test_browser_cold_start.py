"""A project with no seed set in the browser (Debian chromium, fake runner): round 1 says it
was picked by typical-knn because nothing has trained the head yet."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.e2e.streamlit_server import (
    CHROMIUM,
    browser_page,
    start_round_one,
    stored_project,
    streamlit_app,
)

UI_TIMEOUT_MS = 60_000


@pytest.mark.browser
@pytest.mark.slow
def test_a_seedless_project_says_which_strategy_picked_and_why(tmp_path, monkeypatch):
    from playwright.sync_api import expect

    from service.projects import NewProject, ProjectSettings
    from tests.service.factories import TOPICS, sequence_pools

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    settings = ProjectSettings(strategy="knn-uncertainty", budget=3, k=2, auto_finish=False)
    pools = replace(sequence_pools(n_source=12), seed=[])
    stored_project(tmp_path, monkeypatch, NewProject("cold", "sequence", TOPICS, settings=settings),
                   pools)  # fmt: skip
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log",
                       {"DEMUX_RUNNER": "fake"}) as url, browser_page() as page:  # fmt: skip
        start_round_one(page, url, "cold", UI_TIMEOUT_MS)
        reason = page.get_by_text("Picked by typical-knn, cold start: no seed set and 0 of 20")
        expect(reason).to_be_visible(timeout=UI_TIMEOUT_MS)
        assert "knn-uncertainty takes over from 20 labels" in reason.inner_text()
