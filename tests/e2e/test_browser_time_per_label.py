"""Time per label in a real browser (Debian chromium, fake runner): the page measures the
active time from a sentence's display to its label, cuts a pause at the idle limit, stores it
with the label, and the Rounds page adds it up."""

from __future__ import annotations

import time

import pytest

from tests.e2e.streamlit_server import (
    browser_page,
    small_sequence_project,
    start_round_one,
    streamlit_app,
)

UI_TIMEOUT_MS = 60_000


@pytest.mark.browser
@pytest.mark.slow
def test_active_time_is_measured_paused_time_cut_and_summed(tmp_path, monkeypatch):
    from playwright.sync_api import expect

    from service.projects import open_store

    path = small_sequence_project(tmp_path, monkeypatch, "timed", budget=3, auto_finish=False)
    env = {"DEMUX_RUNNER": "fake", "DEMUX_IDLE_LIMIT_S": "1"}
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log", env) as url, \
            browser_page() as page:  # fmt: skip
        start_round_one(page, url, "timed", UI_TIMEOUT_MS)
        expect(page.get_by_text("0 of 3 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)
        heading = page.get_by_role("heading", name="Annotate")
        heading.click()
        time.sleep(3.0)  # a pause: counts as the 1 s idle limit
        page.keyboard.press("1")
        expect(page.get_by_text("1 of 3 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)
        heading.click()
        for step in range(10):  # 2.5 s of steady work: every gap under the limit counts
            page.mouse.move(200 + 10 * step, 300)
            time.sleep(0.25)
        page.keyboard.press("1")
        expect(page.get_by_text("2 of 3 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)
        store = open_store(path)
        saved = sorted(store.current_annotations("source").values(), key=lambda a: a.id)
        store.close()
        paused, steady = (a.active_seconds for a in saved)
        assert 0.9 <= paused <= 1.6, paused  # 3 s on screen, cut to the limit (+ the last move)
        assert 2.2 <= steady <= 4.0, steady
        page.goto(f"{url}/rounds?project=timed")
        expect(page.get_by_text("Time per label and gain per hour")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        expect(page.get_by_text("each pause longer than 1 s counted as 1 s")).to_be_visible()
