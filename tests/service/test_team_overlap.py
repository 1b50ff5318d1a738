"""Deliberate overlap: which picks are doubled, who may give the second label, and the
round's progress."""

from __future__ import annotations

import pytest

from service.annotation import round_items, round_progress
from service.fake_runner import FakeRunner
from service.presses import Press, apply_press, serve_item
from service.projects import open_store
from service.round_control import start_next_round
from service.team.accounts import labeling_accounts, open_accounts
from service.team.overlap import overlap_count, overlap_ranks, round_overlap, team_overlap
from service.worker import RoundWorker
from tests.service.factories import make_project

PASSWORD = "correct horse battery"


@pytest.mark.parametrize("n", [1, 3, 10, 20, 57, 200])
@pytest.mark.parametrize("share", [0.0, 0.05, 0.1, 0.25, 1.0])
def test_the_share_is_held(n: int, share: float) -> None:
    ranks = overlap_ranks(n, share, seed=3)
    assert len(ranks) == overlap_count(n, share)
    assert share * n <= len(ranks) < share * n + 1  # the share, rounded up
    assert all(0 <= rank < n for rank in ranks)


def test_the_doubled_ranks_are_fixed_by_the_round_and_differ_between_rounds() -> None:
    assert overlap_ranks(100, 0.1, seed=4) == overlap_ranks(100, 0.1, seed=4)
    assert overlap_ranks(100, 0.1, seed=4) != overlap_ranks(100, 0.1, seed=5)
    keys = list(range(500, 520))
    assert round_overlap({}, 1, keys) == frozenset()  # a round made before overlap existed
    assert len(round_overlap({"overlap": 0.1}, 1, keys)) == 2
    with pytest.raises(ValueError, match="overlap must be a share"):
        overlap_count(10, 1.5)


def test_one_labeling_account_gets_no_overlap(demux_home) -> None:
    assert team_overlap(0.1, annotators=1) == 0.0 and team_overlap(0.1, annotators=2) == 0.1
    assert labeling_accounts() == 0  # no accounts file: none, and none is created
    accounts = open_accounts()
    accounts.add("boss", PASSWORD, "admin")
    accounts.add("ana", PASSWORD, "annotator")
    accounts.add("rev", PASSWORD, "reviewer")
    assert labeling_accounts() == 3  # admins and reviewers may label too


def _round(overlap: float, accounts: bool, name: str = "tiny"):
    if accounts:
        team = open_accounts()
        team.add("ana", PASSWORD, "annotator")
        team.add("ben", PASSWORD, "annotator")
    store = open_store(make_project(name, budget=4, overlap=overlap))
    worker = RoundWorker(open_store, FakeRunner)
    current = start_next_round(store, worker)
    assert worker.wait_idle(10)
    worker.stop(5)
    return store, store.get_round(current.id)


def test_a_team_round_doubles_its_share_and_a_solo_round_none(demux_home) -> None:
    store, current = _round(0.25, accounts=False)
    assert current.config["overlap"] == 0.0
    assert not any(item.double for item in round_items(store, current.id))
    store.close()
    store, current = _round(0.25, accounts=True, name="team")
    assert current.config["overlap"] == 0.25
    assert sum(item.double for item in round_items(store, current.id)) == 1
    store.close()


def test_nobody_is_served_their_own_item_twice(demux_home) -> None:
    store, current = _round(1.0, accounts=True)  # every pick doubled
    label = store.info().labels[0]

    def press_all(name: str, session: str) -> list[str]:
        slots = []
        for number in range(10):
            items = round_items(store, current.id)
            item = serve_item(store, current.id, items, session=session, annotator=name)
            if item is None:
                return slots
            press = Press(f"{name}{number}", "label", item.example_key, label)
            outcome = apply_press(store, current.id, items, press, session=session, annotator=name)
            assert outcome.refused is None, outcome.refused
            slots.append(outcome.saved.slot)
        raise AssertionError("the queue never ended")

    assert press_all("ana", "a") == ["first"] * 4
    progress = round_progress(round_items(store, current.id))
    assert (progress.handled, progress.seconds, progress.seconds_needed) == (4, 0, 4)
    assert not progress.complete and "second labels: 0 of 4" in progress.summary
    assert press_all("ben", "b") == ["second"] * 4
    assert round_progress(round_items(store, current.id)).complete
    for slots in store.slot_annotations().values():
        assert (slots["first"].annotator, slots["second"].annotator) == ("ana", "ben")
    store.close()


def test_a_stale_second_press_by_the_first_annotator_is_refused(demux_home) -> None:
    store, current = _round(1.0, accounts=True)
    label = store.info().labels[0]
    items = round_items(store, current.id)
    item = serve_item(store, current.id, items, session="a", annotator="ana")
    first = Press("n1", "label", item.example_key, label)
    assert apply_press(store, current.id, items, first, session="a", annotator="ana").saved
    again = Press("n2", "label", item.example_key, label)  # the page had not caught up
    fresh = round_items(store, current.id)
    outcome = apply_press(store, current.id, fresh, again, session="a", annotator="ana")
    assert outcome.refused is not None and "you had already handled it" in outcome.refused
    assert len(store.annotation_history(item.example_key)) == 1
    store.close()
