"""Saving, superseding, undoing and reading annotations."""

from __future__ import annotations

import pytest

from storage import InvalidAnnotationError


def test_correction_supersedes_and_keeps_history(store) -> None:
    key = store.example_key("source", "s0")
    first = store.save_annotation(key, "sports", annotator="ana")
    second = store.save_annotation(key, "travel", annotator="ben", round_id=None)
    history = store.annotation_history(key)
    assert [a.id for a in history] == [first.id, second.id]
    assert history[0].superseded_by == second.id and not history[0].is_active
    assert history[1].is_active
    assert store.current_labels() == {key: "travel"}


def test_undo_restores_previous_label_then_nothing(store) -> None:
    key = store.example_key("source", "s0")
    store.save_annotation(key, "sports", annotator="ana")
    store.save_annotation(key, "travel", annotator="ana")
    assert store.undo_last_annotation().labels == "travel"
    assert store.current_labels() == {key: "sports"}
    assert store.undo_last_annotation().labels == "sports"
    assert store.current_labels() == {}
    assert store.undo_last_annotation() is None
    assert len(store.annotation_history(key)) == 2


def test_undo_by_annotator_keeps_others_work(store) -> None:
    k0, k1 = store.example_key("source", "s0"), store.example_key("source", "s1")
    store.save_annotation(k0, "sports", annotator="ana")
    store.save_annotation(k0, "travel", annotator="ben")
    store.save_annotation(k1, "science", annotator="ben")
    undone = store.undo_last_annotation(annotator="ana")
    assert undone.labels == "sports"
    assert store.current_labels() == {k0: "travel", k1: "science"}
    store.undo_last_annotation(annotator="ben")
    store.undo_last_annotation(annotator="ben")
    assert store.current_labels() == {}
    assert store.undo_last_annotation(annotator="ana") is None


def test_skip_and_flag_are_not_labels(store) -> None:
    k0, k1, k2 = (store.example_key("source", f"s{i}") for i in range(3))
    store.save_annotation(k0, None, annotator="ana", kind="skip")
    store.save_annotation(k1, None, annotator="ana", kind="flag")
    store.save_annotation(k2, "sports", annotator="ana")
    assert store.current_labels() == {k2: "sports"}
    assert {k: a.kind for k, a in store.current_annotations().items()} == {
        k0: "skip",
        k1: "flag",
        k2: "label",
    }
    assert store.annotation_count() == {"label": 1, "skip": 1, "flag": 1}
    assert store.current_labels("target") == {}


def test_token_annotation_must_fit_the_sentence(token_store) -> None:
    from tests.storage.conftest import token_examples

    token_store.add_examples("source", token_examples(1))
    key = token_store.example_key("source", "t0")
    token_store.save_annotation(key, ("B-LOC", "O", "O"), annotator="ana")
    assert token_store.current_labels() == {key: ("B-LOC", "O", "O")}
    with pytest.raises(InvalidAnnotationError, match="one tag per token"):
        token_store.save_annotation(key, ("O",), annotator="ana")
    with pytest.raises(InvalidAnnotationError, match="B-MISC"):
        token_store.save_annotation(key, ("B-MISC", "O", "O"), annotator="ana")


@pytest.mark.parametrize(
    ("labels", "kind", "message"),
    [
        ("cooking", "label", "not in the label schema"),
        (None, "label", "needs labels"),
        ("sports", "skip", "carries no labels"),
        ("sports", "delete", "kind"),
    ],
)
def test_invalid_annotations_are_refused(store, labels, kind, message) -> None:
    key = store.example_key("source", "s0")
    with pytest.raises(InvalidAnnotationError, match=message):
        store.save_annotation(key, labels, annotator="ana", kind=kind)
    assert store.annotation_history(key) == []


def test_unknown_example_is_refused(store) -> None:
    with pytest.raises(InvalidAnnotationError, match="no example"):
        store.save_annotation(12345, "sports", annotator="ana")
