"""Two annotators label one project at once, in two real browser sessions (fake runner).

Each press is made on the sentence the tab shows, with a label derived from that sentence's
key; the browser itself logs, at the instant of each key press, which sentence the tab's
active label pad showed. Afterwards every stored label must be one of the logged
(annotator, sentence shown, label) presses, and every press must be either stored or
counted on the page as not saved: no label lands on a sentence the tab was not showing,
and no press is lost silently. Run at human pace (1.5 s between one tab's presses) and at
4 presses per second per tab.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from tests.e2e.streamlit_server import (
    browser_pages,
    enter_annotator_name,
)

UI_TIMEOUT_MS = 60_000
N_CLASSES = 7  # SIB-200 topics
PROJECT = "demo-sib200"


def open_two_annotators(url: str, pages) -> None:
    """Tab 0 creates the SIB-200 demo; tab 1 opens its Annotate page; both sign their work."""
    from playwright.sync_api import expect

    first, second = pages
    for page in pages:
        page.add_init_script(PRESS_LOGGER)
    first.goto(url)
    first.locator(".st-key-demo_sib200 button").click()
    enter_annotator_name(first, "ana")
    second.goto(f"{url}/annotate?project={PROJECT}")
    enter_annotator_name(second, "ben")
    for page in pages:
        expect(page.get_by_text("of 20 labeled this round")).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(page.locator(".label-pad button.class").first).to_be_visible(timeout=UI_TIMEOUT_MS)


# Runs in each tab before the app: logs the sentence on screen at each key press (capture
# phase on window, so before the pad's own listener); the pads live in shadow roots.
PRESS_LOGGER = """
window.__presses = [];
function demuxActivePads(root) {
  const found = [...root.querySelectorAll('.label-pad[data-active]')];
  for (const element of root.querySelectorAll('*')) {
    if (element.shadowRoot) found.push(...demuxActivePads(element.shadowRoot));
  }
  return found;
}
window.addEventListener('keydown', (event) => {
  const pads = demuxActivePads(document);
  window.__presses.push({key: event.key, shown: pads.length ? pads[0].dataset.exampleId : null});
}, true);
"""


def shown_key(page) -> int | None:
    """The example key of the sentence the tab's active pad (the one taking keys) shows now
    (None while it shows none)."""
    value = page.locator(".label-pad[data-active]").first.get_attribute("data-example-id")
    return int(value) if value else None


def label_for(key: int, labels: tuple[str, ...]) -> tuple[str, str]:
    """(digit to press, label it means) chosen from the sentence's key."""
    index = key % N_CLASSES
    return str(index + 1), labels[index]


def refused_count(page) -> int:
    caption = page.get_by_text(re.compile(r"press\(es\) not saved in this session"))
    if caption.count() == 0:
        return 0
    return int(re.match(r"\s*(\d+)", caption.first.inner_text()).group(1))


def stored_rows(project_file) -> list:
    from service.projects import open_store

    store = open_store(project_file)
    try:
        return [a for key in store.current_annotations() for a in store.annotation_history(key)]
    finally:
        store.close()


def project_labels(project_file) -> tuple[str, ...]:
    from service.projects import open_store

    store = open_store(project_file)
    try:
        return store.info().labels
    finally:
        store.close()


def press_at_random(pages, names, presses: int, per_tab_rate: float, labels) -> list[tuple]:
    """``presses`` presses by tabs drawn at random (seeded), each tab at about
    ``per_tab_rate`` presses per second on average, some gaps far shorter than a page
    update. Returns (annotator, sentence on screen at the key press, label) per press, as
    the tabs' own loggers recorded them."""
    rng = random.Random(0)
    mean_gap = 1.0 / (per_tab_rate * len(pages))
    for _ in range(presses):
        index = rng.randrange(len(pages))
        key = shown_key(pages[index])
        if key is not None:
            pages[index].keyboard.press(label_for(key, labels)[0])
        time.sleep(rng.uniform(0.02, 2 * mean_gap))
    log = []
    for page, name in zip(pages, names, strict=True):
        for entry in page.evaluate("() => window.__presses"):
            if entry["key"].isdigit() and entry["shown"]:
                log.append((name, int(entry["shown"]), labels[int(entry["key"]) - 1]))
    return log


def assert_every_press_accounted(pages, names, log, project_file) -> None:
    """Every stored row is a logged press; every press is stored or counted as refused."""
    deadline = time.monotonic() + 60
    while True:
        rows = stored_rows(project_file)
        refused = {name: refused_count(page) for page, name in zip(pages, names, strict=True)}
        settled = all(
            sum(row.annotator == name for row in rows) + refused[name]
            == sum(entry[0] == name for entry in log)
            for name in names
        )
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    pressed = set(log)
    on_unseen = [(r.annotator, r.example_key, r.labels) for r in rows
                 if (r.annotator, r.example_key, r.labels) not in pressed]  # fmt: skip
    assert on_unseen == [], f"labels stored on sentences the tab did not show: {on_unseen}"
    for name in names:
        made = sum(entry[0] == name for entry in log)
        saved = sum(row.annotator == name for row in rows)
        assert saved + refused[name] == made, (name, made, saved, refused[name])
    keys = [row.example_key for row in rows if row.is_active]
    assert len(keys) == len(set(keys))


def label_together(fake_app, presses: int, per_tab_rate: float) -> list:
    """Two tabs label the SIB-200 demo at ``per_tab_rate``; checks every press; the rows."""
    url, projects = fake_app
    project_file = projects / f"{PROJECT}.sqlite"
    names = ("ana", "ben")
    with browser_pages(2) as pages:
        open_two_annotators(url, pages)
        assert shown_key(pages[0]) != shown_key(pages[1])  # each is served its own sentence
        labels = project_labels(project_file)
        log = press_at_random(pages, names, presses, per_tab_rate, labels)
        assert_every_press_accounted(pages, names, log, project_file)
    return stored_rows(project_file)


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.slow
def test_two_annotators_at_human_pace_label_only_what_they_see(fake_app):
    rows = label_together(fake_app, presses=16, per_tab_rate=1 / 1.5)
    assert {row.annotator for row in rows} == {"ana", "ben"}
    assert len(rows) >= 10  # at human pace most presses are saved


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.slow
def test_two_annotators_at_four_presses_a_second_label_only_what_they_see(fake_app):
    assert label_together(fake_app, presses=30, per_tab_rate=4.0)
