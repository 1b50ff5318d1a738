"""What a linguist reads on the first hour's pages says what it means (Debian chromium, fake
runner): a pick's margin is named a margin with its direction, and the map names models by
round, tells target from source and the chosen target from its neighbours by colour-blind-safe
shape and colour, and says that 2-D distances are approximate."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import browser_page, create_demo

UI_TIMEOUT_MS = 60_000
TRACES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .flatMap(plot => plot.data.map(trace => ({name: trace.name,
        symbol: trace.marker.symbol, color: trace.marker.color})))"""


def _traces(page) -> dict:
    return {trace["name"]: trace for trace in page.evaluate(TRACES)}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.shared_data
def test_margin_and_map_read_as_they_mean(fake_app):
    from playwright.sync_api import expect

    url, _projects = fake_app
    with browser_page() as page:
        page.goto(url)
        create_demo(page, "sib200")
        meta = page.locator(".demux-meta")
        expect(meta).to_be_visible(timeout=UI_TIMEOUT_MS)
        assert "margin" in meta.inner_text() and "(lower = less sure)" in meta.inner_text()
        assert "uncertainty" not in meta.inner_text()
        assert "coin toss" in meta.locator("span[title]").first.get_attribute("title")

        page.get_by_role("link", name="Map").click()
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.get_by_text("2-D distances are approximate")).to_be_visible()
        model = page.locator("[data-testid='stSelectbox']").filter(has_text="Model").first
        expect(model).to_be_visible()
        shown = model.evaluate("e => e.innerText + ' ' + Array.from(e.querySelectorAll('input'))"
                               ".map(i => i.value).join(' ')")  # fmt: skip
        assert "round 1" in shown and "fake-r1" not in shown  # named by round, not by a hash
        expect(page.get_by_text("nearest source points of target")).to_be_visible(
            timeout=UI_TIMEOUT_MS
        )
        traces = _traces(page)
        assert traces["source"]["color"] == "#0072B2" and traces["target"]["color"] == "#E69F00"
        assert set(traces["target"]["symbol"]) == {"diamond"}
        assert set(traces["source"]["symbol"]) == {"circle"}
        assert traces["chosen target"]["symbol"] == "star"
        assert traces["its nearest source points"]["symbol"] == "circle-open"
        assert traces["chosen target"]["color"] != traces["its nearest source points"]["color"]

        page.get_by_text("margin (lower = less sure)").first.click()  # colour by margin
        expect(page.get_by_text("rescored this round").first).to_be_attached(timeout=UI_TIMEOUT_MS)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.shared_data
def test_weak_guesses_are_hidden_and_shown_ones_are_visibly_suggestions(fake_app):
    """The fake round's test score is 30 %: the tagger starts empty and says why; asked for,
    the guess shows dashed (a suggestion, not a choice) until the annotator sets the word."""
    from playwright.sync_api import expect

    url, _projects = fake_app
    with browser_page() as page:
        page.goto(url)
        create_demo(page, "masakhaner2")
        tokens = page.locator(".tagger .token")
        expect(tokens.first).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.get_by_text("Model guesses are hidden: the model's test accuracy is 30 %, "
                                "below 80 %")).to_be_visible()  # fmt: skip
        assert tokens.first.get_attribute("data-tag") == "O"

        page.get_by_text("Show the model's guesses").click()
        expect(tokens.first).to_have_attribute("data-tag", "B-DATE", timeout=UI_TIMEOUT_MS)
        assert "guess" in tokens.first.get_attribute("class")
        assert tokens.first.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
        expect(page.get_by_text("Shown at your request.")).to_be_visible()
        tokens.first.click()
        page.keyboard.press("2")  # the annotator sets it: LOC, no longer a guess
        expect(tokens.first).to_have_attribute("data-tag", "B-LOC")
        assert "guess" not in tokens.first.get_attribute("class")
        assert tokens.first.evaluate("e => getComputedStyle(e).borderTopStyle") != "dashed"
