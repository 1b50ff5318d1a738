"""Labels per active hour per annotator and round, and each round's score against the
annotation hours spent before it."""

from __future__ import annotations

import math

import pytest

from service.presses import MAX_ACTIVE_S, Press
from service.projects import open_store
from service.team.pace import gain_per_hour, pace_table
from tests.service.factories import TOPICS, make_project


def _label(store, key, annotator, round_id, seconds, kind="label"):
    label = TOPICS[0] if kind == "label" else None
    store.save_annotation(key, label, annotator=annotator, round_id=round_id, kind=kind,
                          active_seconds=seconds)  # fmt: skip


def test_pace_and_gain_per_hour_from_stored_times(demux_home):
    store = open_store(make_project(n_source=8))
    keys = [example.key for example in store.stored_examples("source")]
    first = store.start_round("random")
    _label(store, keys[0], "ana", first.id, 30.0)
    _label(store, keys[1], "ana", first.id, 90.0)
    _label(store, keys[2], "ben", first.id, 72.0, kind="skip")
    _label(store, keys[3], "ben", first.id, None)  # saved without a measured time
    store.set_round_status(first.id, "done", metrics={"test_metric": 0.5})
    second = store.start_round("random")
    _label(store, keys[4], "ana", second.id, 60.0)
    store.set_round_status(second.id, "done", metrics={"test_metric": 0.7})

    pace = pace_table(store).set_index("annotator")
    assert pace.loc["ana", "labels"] == 3 and pace.loc["ana", "timed labels"] == 3
    assert pace.loc["ana", "active hours"] == pytest.approx(180 / 3600)
    assert pace.loc["ana", "labels per hour"] == pytest.approx(60.0)
    assert pace.loc["ben", "labels"] == 2 and pace.loc["ben", "timed labels"] == 1
    assert pace.loc["ben", "labels per hour"] == pytest.approx(50.0)  # 1 timed in 72 s
    by_round = pace_table(store, by_round=True)
    assert by_round[["round", "annotator", "labels"]].values.tolist() == [
        [1, "ana", 2], [1, "ben", 2], [2, "ana", 1]]  # fmt: skip

    gain = gain_per_hour(store)
    assert gain["round"].tolist() == [1, 2]
    assert gain["hours"].tolist() == pytest.approx([0.0, (30 + 90 + 72) / 3600])
    assert gain["labels"].tolist() == [0, 3]  # round 2's model trained on round 1's labels
    assert gain["test metric"].tolist() == [0.5, 0.7]
    store.close()


def test_the_pages_active_time_is_read_capped_and_checked():
    assert Press.from_payload({"nonce": "n", "action": "label", "example_id": 3, "label": "x",
                               "active_ms": 1500}).active_seconds == 1.5  # fmt: skip
    assert Press.from_payload({"nonce": "n", "action": "label", "example_id": 3,
                               "active_ms": 10**9}).active_seconds == MAX_ACTIVE_S  # fmt: skip
    for bad in (-5, "12", None, True, math.inf):
        press = Press.from_payload({"nonce": "n", "action": "skip", "example_id": 3,
                                    "active_ms": bad})  # fmt: skip
        assert press.active_seconds is None


def test_a_negative_time_is_refused_and_nothing_is_stored(demux_home):
    from storage import InvalidAnnotationError

    store = open_store(make_project(n_source=8))
    key = store.stored_examples("source")[0].key
    with pytest.raises(InvalidAnnotationError, match="active_seconds"):
        _label(store, key, "ana", None, -1.0)
    assert store.current_annotations("source") == {}
    store.close()
