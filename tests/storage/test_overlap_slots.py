"""Overlap items: a second annotator's label, conflicts, a reviewer's decision, and which
label training uses (storage.resolution)."""

from __future__ import annotations

import pytest

from storage import InvalidAnnotationError


@pytest.fixture
def keys(store):
    return [stored.key for stored in store.stored_examples("source")][:4]


def test_a_second_label_keeps_the_first_and_agreement_trains(store, keys) -> None:
    store.save_annotation(keys[0], "science", annotator="ana")
    store.save_annotation(keys[0], "science", annotator="ben", slot="second")
    slots = store.slot_annotations()[keys[0]]
    assert (slots["first"].annotator, slots["second"].annotator) == ("ana", "ben")
    assert slots["first"].is_active and slots["second"].slot == "second"
    assert store.current_labels()[keys[0]] == "science"
    assert store.conflicts() == []
    assert store.current_annotations()[keys[0]].annotator == "ana"  # the first slot


def test_a_disagreement_leaves_the_item_out_until_a_reviewer_decides(store, keys) -> None:
    store.save_annotation(keys[0], "science", annotator="ana")
    store.save_annotation(keys[0], "sports", annotator="ben", slot="second")
    store.save_annotation(keys[1], "travel", annotator="ana")
    assert store.conflicts() == [keys[0]]
    assert keys[0] not in store.current_labels() and store.current_labels()[keys[1]] == "travel"
    store.save_annotation(keys[0], "sports", annotator="rev", slot="review")
    assert store.conflicts() == []
    assert store.current_labels()[keys[0]] == "sports"
    # the reviewer's undo brings the conflict back
    store.undo_last_annotation("rev")
    assert store.conflicts() == [keys[0]]


def test_a_review_skip_leaves_the_item_out_for_good(store, keys) -> None:
    store.save_annotation(keys[0], "science", annotator="ana")
    store.save_annotation(keys[0], None, annotator="ben", kind="flag", slot="second")
    assert store.conflicts() == [keys[0]]  # a label against a flag disagrees
    store.save_annotation(keys[0], None, annotator="rev", kind="skip", slot="review")
    assert store.conflicts() == [] and keys[0] not in store.current_labels()


def test_nobody_fills_both_slots_of_one_item(store, keys) -> None:
    with pytest.raises(InvalidAnnotationError, match="no first label"):
        store.save_annotation(keys[0], "science", annotator="ben", slot="second")
    store.save_annotation(keys[0], "science", annotator="ana")
    with pytest.raises(InvalidAnnotationError, match="ana gave the first label"):
        store.save_annotation(keys[0], "sports", annotator="ana", slot="second")
    store.save_annotation(keys[0], "sports", annotator="ben", slot="second")
    store.undo_last_annotation("ana")  # the first label goes; ben's second stays
    with pytest.raises(InvalidAnnotationError, match="ben gave the second label"):
        store.save_annotation(keys[0], "sports", annotator="ben")
    with pytest.raises(InvalidAnnotationError, match="slot 'third'"):
        store.save_annotation(keys[1], "sports", annotator="ben", slot="third")


def test_a_correction_supersedes_only_within_its_slot(store, keys) -> None:
    store.save_annotation(keys[0], "science", annotator="ana")
    second = store.save_annotation(keys[0], "sports", annotator="ben", slot="second")
    corrected = store.save_annotation(keys[0], "science", annotator="cy", slot="second")
    assert store.get_annotation(second.id).superseded_by == corrected.id
    assert store.current_annotations()[keys[0]].annotator == "ana"
    assert store.conflicts() == [] and store.current_labels()[keys[0]] == "science"


def test_overlap_items_are_served_twice_never_to_the_same_annotator(store, keys) -> None:
    round_id = store.start_round("random").id
    store.save_selection(round_id, [0, 1])
    pair, double = keys[:2], {keys[1]}
    served = store.claim_next(round_id, pair, session="a", annotator="ana", double=double)
    assert served == keys[0]
    store.save_annotation(keys[0], "science", annotator="ana", session="a")
    assert store.claim_next(round_id, pair, session="a", annotator="ana", double=double) == keys[1]
    store.save_annotation(keys[1], "sports", annotator="ana", session="a")
    # ana has nothing left: keys[1]'s second label must come from someone else
    assert store.claim_next(round_id, pair, session="a", annotator="ana", double=double) is None
    assert store.claim_next(round_id, pair, session="b", annotator="ben", double=double) == keys[1]
    store.save_annotation(keys[1], "sports", annotator="ben", slot="second", session="b")
    assert store.claim_next(round_id, pair, session="b", annotator="ben", double=double) is None
    # without the overlap, a labeled item is never served again
    assert store.claim_next(round_id, pair, session="c", annotator="cy") is None
