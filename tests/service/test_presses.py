"""Presses act on the item the page showed: two sessions, stale presses, undo, bad payloads."""

from __future__ import annotations

import pytest

from service.annotation import round_items
from service.fake_runner import FakeRunner
from service.presses import Press, apply_press, held_by_others, serve_item
from service.projects import open_store
from service.round_control import start_next_round
from service.worker import RoundWorker
from tests.service.factories import make_project


@pytest.fixture
def annotating(demux_home):
    """(store, round id) of a project whose first round (3 items) waits for labels."""
    store = open_store(make_project())
    worker = RoundWorker(open_store, FakeRunner)
    current = start_next_round(store, worker)
    assert worker.wait_idle(10)
    worker.stop(5)
    yield store, current.id
    store.close()


def press(action: str, key: int | None = None, label=None, nonce: str = "n") -> Press:
    return Press(nonce, action, key, label)


def test_two_sessions_are_served_different_items(annotating) -> None:
    store, round_id = annotating
    items = round_items(store, round_id)
    shown_a = serve_item(store, round_id, items, session="a", annotator="ana")
    shown_b = serve_item(store, round_id, items, session="b", annotator="ben")
    assert shown_a.example_key != shown_b.example_key
    assert held_by_others(store, round_id, items, "a") == {shown_b.example_key: "ben"}


def test_a_press_saves_on_the_item_it_names_not_on_the_next_one(annotating) -> None:
    store, round_id = annotating
    items = round_items(store, round_id)
    shown = serve_item(store, round_id, items, session="a", annotator="ana")
    outcome = apply_press(store, round_id, items, press("label", shown.example_key, "health"),
                          session="a", annotator="ana")  # fmt: skip
    assert outcome.refused is None and outcome.saved.example_key == shown.example_key
    # the same key pressed again before the page caught up: refused, the next item untouched
    items = round_items(store, round_id)
    again = apply_press(store, round_id, items, press("label", shown.example_key, "sports"),
                        session="a", annotator="ana")  # fmt: skip
    assert again.saved is None and "you had already handled it" in again.refused
    assert store.current_labels() == {shown.example_key: "health"}


def test_a_press_on_an_item_another_session_handled_is_refused(annotating) -> None:
    store, round_id = annotating
    items = round_items(store, round_id)
    shown = serve_item(store, round_id, items, session="a", annotator="ana")
    store.release_claims("a")  # say a's lease ran out and ben was served the item
    serve_item(store, round_id, items, session="b", annotator="ben")
    taken = apply_press(store, round_id, items, press("skip", shown.example_key),
                        session="a", annotator="ana")  # fmt: skip
    assert taken.saved is None and "ben is labeling it right now" in taken.refused
    apply_press(store, round_id, items, press("flag", shown.example_key),
                session="b", annotator="ben")  # fmt: skip
    late = apply_press(store, round_id, round_items(store, round_id),
                       press("label", shown.example_key, "health"), session="a", annotator="ana")  # fmt: skip
    assert "ben had already handled it" in late.refused
    assert store.current_annotations()[shown.example_key].annotator == "ben"


def test_undo_shows_the_undone_item_again_to_this_session(annotating) -> None:
    store, round_id = annotating
    items = round_items(store, round_id)
    first = serve_item(store, round_id, items, session="a", annotator="ana")
    apply_press(store, round_id, items, press("label", first.example_key, "health"),
                session="a", annotator="ana")  # fmt: skip
    items = round_items(store, round_id)
    assert serve_item(store, round_id, items, session="a", annotator="ana") != first
    outcome = apply_press(store, round_id, items, press("undo"), session="a", annotator="ana")
    assert outcome.undone.example_key == first.example_key
    items = round_items(store, round_id)
    assert serve_item(store, round_id, items, session="a", annotator="ana").example_key == (
        first.example_key
    )
    nothing = apply_press(store, round_id, items, press("undo"), session="b", annotator="ben")
    assert nothing.refused == "there was nothing of yours to undo"


def test_unknown_items_labels_and_payloads_are_refused_with_a_reason(annotating) -> None:
    store, round_id = annotating
    items = round_items(store, round_id)
    shown = serve_item(store, round_id, items, session="a", annotator="ana")
    outside = apply_press(store, round_id, items, press("label", 10_000, "health"),
                          session="a", annotator="ana")  # fmt: skip
    assert outside.refused == "that sentence is not part of this round any more"
    wrong = apply_press(store, round_id, items, press("label", shown.example_key, "weather"),
                        session="a", annotator="ana")  # fmt: skip
    assert "weather" in wrong.refused and store.current_annotations() == {}
    with pytest.raises(ValueError, match="unknown action"):
        Press.from_payload({"action": "delete", "example_id": 1, "nonce": "x"})
    with pytest.raises(ValueError, match="names no item"):
        Press.from_payload({"action": "label", "nonce": "x", "label": "health"})
    parsed = Press.from_payload({"action": "label", "example_id": "7", "nonce": "x", "label": "a"})
    assert parsed == Press("x", "label", 7, "a")
