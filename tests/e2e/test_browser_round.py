"""End to end in a real browser, real model: demo -> label with the keyboard -> round 2 -> map.

Starts ``streamlit run app.py`` (real round runner, the converted default model from
``$DEMUX_HOME/models``, projects in a scratch ``$DEMUX_PROJECTS``) on the SIB-200 demo with
30 source sentences per language, and drives Debian's chromium through Playwright. Two real
rounds run on the CPU (about 2-4 minutes on 2 cores). Screenshots of each page go to
``docs/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.streamlit_server import (
    CHROMIUM,
    SCREENSHOTS,
    browser_page,
    enter_annotator_name,
    streamlit_app,
)

ROUND_TIMEOUT_MS = 900_000  # a real round on a busy 2-core machine; usually 1-2 minutes
UI_TIMEOUT_MS = 30_000


@pytest.fixture
def real_app_url(tmp_path, shared_data, default_model_dir):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    env = {"DEMUX_RUNNER": "real", "DEMUX_DATA": str(shared_data),
           "DEMUX_DEMO_SOURCE_PER_LANGUAGE": "30"}  # fmt: skip
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log", env) as url:
        yield url


def wait_for_annotating(page, expect) -> None:
    """Wait until a round's points are shown; fail at once (with its error) if it failed."""
    ready = page.get_by_text("0 of 20 labeled this round")
    failed = page.get_by_text("failed", exact=False)
    expect(ready.or_(failed).first).to_be_visible(timeout=ROUND_TIMEOUT_MS)
    if not ready.is_visible():
        pytest.fail(
            "the round failed: " + page.locator("[data-testid='stText']").first.inner_text()
        )


def label_with_digits(page, expect, count: int) -> None:
    """Press digit keys 1..count (one topic each), waiting for each label to be saved."""
    for done in range(1, count + 1):
        page.get_by_role("heading", name="Annotate").click()  # focus the page, not a widget
        page.keyboard.press(str(done))
        expect(page.get_by_text(f"{done} of 20 labeled this round")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.real_model
@pytest.mark.slow
def test_demo_round_in_browser_with_real_model(real_app_url):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser_page() as page:
        page.goto(real_app_url)
        create = page.get_by_role("button", name="Create demo project").first
        expect(create).to_be_visible(timeout=UI_TIMEOUT_MS)
        page.screenshot(path=SCREENSHOTS / "1-projects.png", full_page=True)
        create.click()
        enter_annotator_name(page, "ana", UI_TIMEOUT_MS)

        wait_for_annotating(page, expect)
        if page.get_by_text("Model guesses are hidden").count():  # a weak first model
            page.get_by_text("Show the model's guesses").click()
        expect(page.get_by_text("(model)")).to_be_visible()  # the model's suggestion is marked
        page.screenshot(path=SCREENSHOTS / "2-annotate.png", full_page=True)
        label_with_digits(page, expect, 3)
        page.keyboard.press("u")  # undo the last label
        expect(page.get_by_text("2 of 20 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)

        page.get_by_role("button", name="Finish round").click()
        expect(page.get_by_text("Round 2 is running")).to_be_visible(timeout=UI_TIMEOUT_MS)
        wait_for_annotating(page, expect)
        expect(page.get_by_role("heading", name="Round 2")).to_be_visible()

        page.get_by_role("link", name="Map").click()
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        expect(page.get_by_text("nearest source points of target")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        page.screenshot(path=SCREENSHOTS / "3-map.png", full_page=True)

        page.get_by_role("link", name="Rounds").click()
        expect(page.get_by_text("Learning curve")).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        expect(page.get_by_text("No test metric yet")).to_have_count(0)
        # the real random twin of round 2 trains in the background; its point comes by itself
        expect(page.get_by_text("After 2 labels, DeMuX's picks reach")).to_be_visible(
            timeout=ROUND_TIMEOUT_MS
        )
        page.screenshot(path=SCREENSHOTS / "4-rounds.png", full_page=True)

        page.get_by_role("link", name="Export").click()
        expect(page.get_by_role("button", name="JSON Lines")).to_be_visible(timeout=UI_TIMEOUT_MS)
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="JSON Lines").click()
        exported = Path(download_info.value.path()).read_text(encoding="utf-8").splitlines()
        assert len(exported) == 100 + 2  # the seed pool and the two labelled source points
        page.screenshot(path=SCREENSHOTS / "5-export.png", full_page=True)
