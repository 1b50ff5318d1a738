"""Between rounds the Annotate page says one clear thing (Debian chromium, fake runner slowed
to 2 s per stage): round 1 "picks the first sentences" (there is no previous round); after the
last label, "Round 1 done: 20 label(s). Training round 2 ..." with no stale sentence and no
stale "Finish round" button, until round 2's sentences come by themselves."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import (
    CHROMIUM,
    browser_page,
    enter_annotator_name,
    label_every_pick,
    streamlit_app,
)

UI_TIMEOUT_MS = 60_000


@pytest.fixture
def slow_fake_app(tmp_path, shared_data):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    env = {"DEMUX_RUNNER": "fake", "DEMUX_FAKE_DELAY": "2", "DEMUX_DATA": str(shared_data),
           "DEMUX_DEMO_SOURCE_PER_LANGUAGE": "30"}  # fmt: skip
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log", env) as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.shared_data
def test_the_last_label_shows_one_clear_transition(slow_fake_app):
    from playwright.sync_api import expect

    with browser_page() as page:
        page.goto(slow_fake_app)
        page.get_by_role("button", name="Create demo project").first.click()
        enter_annotator_name(page, "ana", UI_TIMEOUT_MS)
        first = page.get_by_text("picks the first sentences to label")
        expect(first.or_(page.get_by_text("0 of 20 labeled this round")).first).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        assert page.get_by_text("previous round").count() == 0
        label_every_pick(page)
        banner = page.get_by_text("Round 1 done: 20 label(s). Training round 2")
        expect(banner).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.locator(".demux-meta")).to_have_count(0)  # no stale sentence
        expect(page.get_by_role("button", name="Finish round")).to_have_count(0)
        expect(page.get_by_role("heading", name="Round 2")).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(banner).to_have_count(0)
        expect(page.get_by_text("0 of 20 labeled this round")).to_be_visible()
