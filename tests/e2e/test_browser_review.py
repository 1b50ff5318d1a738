"""A team in real browsers (Debian chromium, fake runner): two annotators signed in at once
label a round with overlap, the Agreement page shows their disagreements, an annotator
cannot open Review or Agreement, a reviewer decides, and the next round trains on the
decisions (the one before left the conflicts out and said so).

Screenshots: ``docs/screenshots/8-agreement.png`` and ``9-review.png``.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.streamlit_server import (
    SCREENSHOTS,
    browser_pages,
    sign_in,
    small_sequence_project,
    streamlit_app,
)

UI_TIMEOUT_MS = 60_000
PASSWORD = "a long enough password"
BUDGET = 4  # overlap 0.5: two of the four picks get a second label


def _sign_in(page, url: str, name: str, path: str = "/") -> None:
    from playwright.sync_api import expect

    page.goto(url + path)
    sign_in(page, name, PASSWORD)
    expect(page.get_by_text(f"{name} (")).to_be_visible(timeout=UI_TIMEOUT_MS)


def _saved(path) -> int:
    from service.projects import open_store

    store = open_store(path)
    try:
        return sum(len(slots) for slots in store.slot_annotations().values())
    finally:
        store.close()


def _label_one(page, key: str, path) -> bool:
    """Press ``key`` on the sentence the page shows and wait until it is stored; False when
    the page shows no sentence (nothing left for this annotator)."""
    from playwright.sync_api import expect

    meta = page.locator(".demux-meta")
    done = page.get_by_text("are handled").or_(page.get_by_text("being labeled by others"))
    expect(meta.or_(done).first).to_be_visible(timeout=UI_TIMEOUT_MS)
    if not meta.is_visible():
        return False
    shown = meta.get_attribute("data-example-id")
    before = _saved(path)
    page.get_by_role("heading", name="Annotate").click()  # focus the page, not a widget
    page.keyboard.press(key)
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while _saved(path) == before:
        assert time.monotonic() < deadline, f"the press on {shown} was never stored"
        time.sleep(0.1)
    expect(page.locator(f'.demux-meta[data-example-id="{shown}"]')).to_have_count(
        0, timeout=UI_TIMEOUT_MS)  # fmt: skip
    return True


def _tables_drawn(page, count: int) -> None:
    """Wait until ``count`` data tables have drawn their grid (for the screenshots)."""
    from playwright.sync_api import expect

    frames = page.locator("[data-testid=stDataFrame]").filter(has=page.locator("canvas"))
    expect(frames).to_have_count(count, timeout=UI_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # the grid paints its canvas after it appears


@pytest.fixture
def team(tmp_path, monkeypatch):
    from service.team.accounts import Accounts
    from storage.accounts import AccountStore, accounts_path

    path = small_sequence_project(tmp_path, monkeypatch, "team", budget=BUDGET,
                                  auto_finish=False, overlap=0.5)  # fmt: skip
    store = AccountStore(accounts_path(tmp_path / "projects"))
    accounts = Accounts(store)
    for name, role in (("ana", "annotator"), ("ben", "annotator"), ("rita", "reviewer")):
        accounts.add(name, PASSWORD, role)
    store.close()
    with streamlit_app(tmp_path / "projects", tmp_path / "streamlit.log",
                       {"DEMUX_RUNNER": "fake"}) as url:  # fmt: skip
        yield url, path


@pytest.mark.browser
@pytest.mark.slow
def test_two_annotators_overlap_and_a_reviewer_decides(team):
    from playwright.sync_api import expect

    from service.projects import open_store

    url, path = team
    with browser_pages(3) as (ana, ben, rita):
        _sign_in(ana, url, "ana", "/annotate?project=team")
        _sign_in(ben, url, "ben", "/annotate?project=team")
        ana.get_by_role("button", name="Start round 1").click()
        for page in (ana, ben):
            expect(page.get_by_text(f"0 of {BUDGET} labeled this round")).to_be_visible(
                timeout=UI_TIMEOUT_MS)  # fmt: skip
        # both at work at once: ana always says "sports" (1), ben "health" (2)
        busy = {"ana": True, "ben": True}
        while any(busy.values()):
            for name, page, key in (("ana", ana, "1"), ("ben", ben, "2")):
                if busy[name]:
                    busy[name] = _label_one(page, key, path)
        store = open_store(path)
        slots = store.slot_annotations()
        doubled = {key: s for key, s in slots.items() if "second" in s}
        assert len(slots) == BUDGET and len(doubled) == 2
        for s in doubled.values():  # nobody labeled their own item twice
            assert {s["first"].annotator, s["second"].annotator} == {"ana", "ben"}
        assert sorted(store.conflicts()) == sorted(doubled)
        store.close()
        expect(ben.get_by_text("second labels: 2 of 2")).to_be_visible(timeout=UI_TIMEOUT_MS)

        # round 2 trains without the two conflicts, and says so
        ben.get_by_role("button", name="Finish round and train").click()
        ana.goto(f"{url}/rounds?project=team")
        expect(ana.get_by_text("Round 2 trained without 2 sentence(s)")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        for page_path in ("/review?project=team", "/agreement?project=team"):
            ana.goto(url + page_path)  # an annotator cannot open either
            expect(ana.get_by_text("The annotator role cannot open")).to_be_visible(
                timeout=UI_TIMEOUT_MS)  # fmt: skip
            assert ana.get_by_role("button", name="Use ben's label").count() == 0

        _sign_in(rita, url, "rita", "/agreement?project=team")
        expect(rita.get_by_text("Disagreements (2)")).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(rita.get_by_text("Krippendorff's alpha")).to_be_visible()
        _tables_drawn(rita, 3)
        rita.screenshot(path=SCREENSHOTS / "8-agreement.png", full_page=True)
        rita.goto(f"{url}/review?project=team")
        expect(rita.get_by_text("2 item(s) wait: 2 disagreement(s)")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        _tables_drawn(rita, 1)
        rita.screenshot(path=SCREENSHOTS / "9-review.png", full_page=True)
        rita.get_by_role("button", name="Use ben's label").click()  # health
        expect(rita.get_by_text("1 item(s) wait: 1 disagreement(s)")).to_be_visible(
            timeout=UI_TIMEOUT_MS)  # fmt: skip
        rita.get_by_role("button", name="Use ana's label").click()  # sports
        expect(rita.get_by_text("Nothing waits for review")).to_be_visible(timeout=UI_TIMEOUT_MS)

        store = open_store(path)
        decided = {key: store.slot_annotations()[key]["review"] for key in doubled}
        assert sorted(d.labels for d in decided.values()) == ["health", "sports"]
        assert all(d.annotator == "rita" for d in decided.values())
        assert store.conflicts() == []
        store.close()
        # the next round trains on the decisions
        ben.goto(f"{url}/annotate?project=team")
        ben.get_by_role("button", name="Finish round and train").click()
        deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
        while True:
            store = open_store(path)
            latest = store.current_round()
            labels = store.current_labels()
            store.close()
            if latest.number == 3 and latest.status == "annotating":
                break
            assert time.monotonic() < deadline, "round 3 never finished"
            time.sleep(0.2)
        assert latest.metrics["left_out_conflicts"] == 0 and latest.metrics["n_labeled"] == BUDGET
        assert {labels[key] for key in doubled} == {d.labels for d in decided.values()}
