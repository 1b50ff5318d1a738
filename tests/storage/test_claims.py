"""Claims: each annotation session is served its own item; saves respect other claims."""

from __future__ import annotations

import pytest

from storage import LEASE_S, ItemTakenError


@pytest.fixture
def round_keys(store):
    """(round id, the round's 4 selected example keys in rank order)."""
    current = store.start_round("random")
    selections = store.save_selection(current.id, [0, 1, 2, 3])
    return current.id, [selection.example_key for selection in selections]


def test_two_sessions_get_different_items_and_keep_theirs(store, round_keys) -> None:
    round_id, keys = round_keys
    first = store.claim_next(round_id, keys, session="tab-a", annotator="ana", now=100.0)
    second = store.claim_next(round_id, keys, session="tab-b", annotator="ben", now=100.0)
    assert (first, second) == (keys[0], keys[1])
    # a rerun of either page keeps showing the same item
    assert store.claim_next(round_id, keys, session="tab-a", annotator="ana", now=101.0) == keys[0]
    assert store.claim_next(round_id, keys, session="tab-b", annotator="ben", now=101.0) == keys[1]
    holders = {
        claim.example_key: claim.annotator for claim in store.live_claims(round_id, now=102.0)
    }
    assert holders == {keys[0]: "ana", keys[1]: "ben"}


def test_a_saved_item_frees_its_claim_and_the_session_moves_on(store, round_keys) -> None:
    round_id, keys = round_keys
    shown = store.claim_next(round_id, keys, session="tab-a", annotator="ana")
    store.save_annotation(shown, "sports", annotator="ana", session="tab-a")
    assert store.live_claims(round_id) == []
    assert store.claim_next(round_id, keys, session="tab-a", annotator="ana") == keys[1]


def test_save_on_an_item_another_session_shows_is_refused(store, round_keys) -> None:
    round_id, keys = round_keys
    store.claim_next(round_id, keys, session="tab-a", annotator="ana")
    with pytest.raises(ItemTakenError, match="being labeled by ana") as caught:
        store.save_annotation(keys[0], "sports", annotator="ben", session="tab-b")
    assert caught.value.reason == "claimed"
    assert store.current_annotations() == {}


def test_only_if_unhandled_refuses_a_second_label_and_writes_nothing(store, round_keys) -> None:
    _, keys = round_keys
    store.save_annotation(keys[0], "sports", annotator="ana", only_if_unhandled=True)
    with pytest.raises(ItemTakenError, match="already handled by ana") as caught:
        store.save_annotation(keys[0], "travel", annotator="ben", only_if_unhandled=True)
    assert caught.value.reason == "handled"
    assert store.current_labels() == {keys[0]: "sports"}
    assert len(store.annotation_history(keys[0])) == 1


def test_an_expired_lease_frees_the_item(store, round_keys) -> None:
    round_id, keys = round_keys
    store.claim_next(round_id, keys, session="closed-tab", annotator="ana", now=0.0)
    later = LEASE_S + 1.0
    assert store.claim_next(round_id, keys, session="tab-b", annotator="ben", now=later) == keys[0]


def test_handled_and_held_items_leave_nothing_to_serve(store, round_keys) -> None:
    round_id, keys = round_keys
    for key in keys[:3]:
        store.save_annotation(key, "sports", annotator="ana")
    assert store.claim_next(round_id, keys, session="tab-a", annotator="ana") == keys[3]
    assert store.claim_next(round_id, keys, session="tab-b", annotator="ben") is None


def test_claim_after_undo_is_refused_while_another_session_holds_it(store, round_keys) -> None:
    round_id, keys = round_keys
    store.claim_next(round_id, keys, session="tab-b", annotator="ben")
    assert not store.claim(keys[0], round_id, session="tab-a", annotator="ana")
    assert store.claim(keys[2], round_id, session="tab-a", annotator="ana")
    assert store.claim_next(round_id, keys, session="tab-a", annotator="ana") == keys[2]
    store.release_claims("tab-a")
    assert [c.session for c in store.live_claims(round_id)] == ["tab-b"]
