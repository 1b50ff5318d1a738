"""The demo shows whether DeMuX helped (Debian chromium, fake runner): after round 2 the
Rounds page draws DeMuX's curve and the random twin's, both with 95 % intervals and their
values written on the points, says in a sentence what the difference means, and the twin
never held up round 2's picks."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import browser_page, create_demo, label_every_pick

UI_TIMEOUT_MS = 60_000
TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .flatMap(plot => plot.data.map(trace => ({name: trace.name, n: (trace.text || []).length,
        error: Boolean(trace.error_y && trace.error_y.visible), text: trace.text})))"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.shared_data
def test_the_rounds_page_compares_demux_with_its_random_twin(fake_app):
    from playwright.sync_api import expect

    url, _projects = fake_app
    with browser_page() as page:
        page.goto(url)
        create_demo(page, "sib200")
        label_every_pick(page)
        expect(page.get_by_role("heading", name="Round 2")).to_be_visible(timeout=UI_TIMEOUT_MS)

        page.get_by_role("link", name="Rounds").click()
        summary = page.get_by_text("After 20 labels, DeMuX's picks reach")
        expect(summary).to_be_visible(timeout=UI_TIMEOUT_MS)
        text = summary.inner_text()
        assert "as many random sentences" in text and "points more for DeMuX" in text
        assert "The 95 % intervals (bootstrap over the test sentences)" in text
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=UI_TIMEOUT_MS)
        page.wait_for_function(f"() => ({TRACES})().some(t => t.name === 'random picks (twin)')",
                               timeout=UI_TIMEOUT_MS)  # fmt: skip
        traces = {t["name"]: t for t in page.evaluate(TRACES)}
        assert {"DeMuX picks", "random picks (twin)"} <= set(traces)
        for name in ("DeMuX picks", "random picks (twin)"):
            assert traces[name]["n"] == 2 and traces[name]["error"]
            assert all(label.startswith("0.") for label in traces[name]["text"])
        # label-free progress: the target predictions' agreement with the round before
        assert {"target_kappa", "target_changed", "target_mean_margin"} <= set(traces)
        expect(
            page.get_by_text("Too early to tell: the last 1 round(s) changed 7.5 %")
        ).to_be_visible()
