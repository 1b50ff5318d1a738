"""A target without a test set (Debian chromium, fake runner): the Rounds page draws a sample of
the target pool, the Annotate page labels it in its own mode, and its labels are stored on the
test pool, never as training labels."""

from __future__ import annotations

from dataclasses import replace

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
def test_a_target_test_sample_is_drawn_labeled_and_kept_out_of_training(tmp_path, monkeypatch):
    from playwright.sync_api import expect

    from service.projects import open_store
    from tests.service.factories import sequence_pools

    pools = replace(sequence_pools(n_source=12, n_target=8), test=[])
    path = small_sequence_project(tmp_path, monkeypatch, "untested", pools, strategy="random",
                                  budget=3, auto_finish=False)  # fmt: skip
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log",
                       {"DEMUX_RUNNER": "fake"}) as url, browser_page() as page:  # fmt: skip
        start_round_one(page, url, "untested", UI_TIMEOUT_MS)
        expect(page.get_by_text("0 of 3 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)

        page.get_by_role("link", name="Rounds").click()
        page.get_by_label("Sample size").fill("3")
        page.get_by_role("button", name="Draw the target test sample").click()
        expect(page.get_by_text("Drew 3 target sentences")).to_be_visible(timeout=UI_TIMEOUT_MS)

        page.get_by_role("link", name="Annotate").click()
        expect(page.get_by_text("0 of 3 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)
        sample = page.get_by_text("0 of 3 test sentences labeled")
        for _ in range(3):  # Streamlit can drop a click that meets the sidebar's status poll
            page.get_by_text("the target test sample", exact=True).click()
            try:
                expect(sample).to_be_visible(timeout=15_000)
                break
            except AssertionError:
                continue
        expect(sample).to_be_visible(timeout=UI_TIMEOUT_MS)
        shown = None
        for done in range(1, 4):
            pad = page.locator(".label-pad[data-example-id]:not([data-example-id=''])")
            if shown is not None:  # look at the next sentence before pressing, as a person does
                expect(pad.and_(page.locator(f'[data-example-id="{shown}"]'))).to_have_count(
                    0, timeout=UI_TIMEOUT_MS)  # fmt: skip
            shown = pad.first.get_attribute("data-example-id")
            page.get_by_role("heading", name="Annotate").click()
            page.keyboard.press("2")
            expect(page.get_by_text(f"Target test sample: {done} of 3 labeled.")).to_be_visible(
                timeout=UI_TIMEOUT_MS
            )
        expect(
            page.get_by_text("Every sentence of the target test sample is handled")
        ).to_be_visible()
    store = open_store(path)
    try:
        assert list(store.current_labels("test").values()) == ["health"] * 3
        assert store.current_labels("source") == {}  # nothing of it reaches training
    finally:
        store.close()
