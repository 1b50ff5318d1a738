"""Text that could break the page shows as stored: a 620-character word wraps inside the
page, a right-to-left override (U+202E) in the data shows as a mark instead of reordering
the sentence, and markup shows as its characters, never run (Debian chromium, fake runner)."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import (
    CHROMIUM,
    browser_page,
    enter_annotator_name,
    streamlit_app,
)

UI_TIMEOUT_MS = 60_000
LONG_WORD = "x" * 620
OVERRIDE = "pay \u202emoc.elpmaxe\u202c now"
MARKUP = '<b>bold</b> <img src=x onerror="window.__pwned = 1">'


@pytest.fixture
def hostile_project(tmp_path, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    from demux_core.data.examples import SequenceExample
    from service.demo import DemoPools
    from service.projects import NewProject, ProjectSettings, create_project_from_pools

    projects = tmp_path / "projects"
    monkeypatch.setenv("DEMUX_PROJECTS", str(projects))
    topics = ("sports", "health")
    source = [SequenceExample("s0", "eng", f"see {LONG_WORD} end", label="sports"),
              SequenceExample("s1", "eng", OVERRIDE, label="health"),
              SequenceExample("s2", "eng", MARKUP, label="health")]  # fmt: skip
    target = [SequenceExample("t0", "amh", "ዒላማ")]
    settings = ProjectSettings(strategy="random", budget=3, k=1, auto_finish=False)
    pools = DemoPools(topics, source, target, [], [])
    create_project_from_pools(NewProject("hostile", "sequence", topics, settings=settings), pools)
    return projects


@pytest.mark.browser
@pytest.mark.slow
def test_long_words_wrap_and_bidi_overrides_do_not_reorder(hostile_project, tmp_path):
    from playwright.sync_api import expect

    env = {"DEMUX_RUNNER": "fake"}
    log = tmp_path / "streamlit.log"
    with streamlit_app(hostile_project, log, env) as url, browser_page(width=1000) as page:
        page.goto(f"{url}/annotate?project=hostile")
        page.get_by_role("button", name="Start round 1").click()
        enter_annotator_name(page, "ana", UI_TIMEOUT_MS)
        seen = {}
        content = None
        for done in range(1, 4):
            text = page.locator(".demux-text").first
            expect(text).to_be_visible(timeout=UI_TIMEOUT_MS)
            if content is not None:  # the pad redraws just after the count moves
                expect(text).not_to_have_text(content, timeout=UI_TIMEOUT_MS)
            content = text.inner_text()
            kind = "long" if LONG_WORD in content else "markup" if "bold" in content else "override"
            seen[kind] = text
            if kind == "markup":  # shown as the characters stored, never run
                assert content == MARKUP
                assert page.evaluate("() => window.__pwned") is None
            elif kind == "long":
                sizes = text.evaluate(
                    "e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right]"
                )
                assert sizes[0] <= sizes[1] and sizes[2] <= 1000, sizes
            else:
                assert content == "pay [U+202E]moc.elpmaxe[U+202C] now"
                assert text.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
            page.locator(".label-pad[data-active] button.skip").click()
            expect(page.get_by_text(f"{done} skipped")).to_be_visible(timeout=UI_TIMEOUT_MS)
        assert set(seen) == {"long", "override", "markup"}
