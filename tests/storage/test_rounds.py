"""Round bookkeeping and selections."""

from __future__ import annotations

import pytest

from storage import StorageError, open_project


def test_rounds_number_up_and_track_status(store) -> None:
    assert store.current_round() is None
    first = store.start_round("demux-knn", {"budget": 5})
    assert (first.number, first.status, first.config) == (1, "selecting", {"budget": 5})
    store.set_round_status(first.id, "annotating", timings={"select": 1.5})
    done = store.set_round_status(
        first.id, "done", timings={"train": 3.0}, model_version=1, metrics={"f1": 0.5}
    )
    assert done.timings == {"select": 1.5, "train": 3.0}
    assert (done.model_version, done.metrics, done.finished_at is not None) == (
        "1",
        {"f1": 0.5},
        True,
    )
    second = store.start_round("random")
    assert second.number == 2 and store.current_round().id == second.id
    assert [r.number for r in store.rounds()] == [1, 2]


def test_failure_keeps_stage_and_error(store) -> None:
    round_ = store.start_round("demux")
    store.set_round_status(round_.id, "training")
    store.set_round_progress(round_.id, 0.4, stage="epoch 2")
    assert store.get_round(round_.id).progress == pytest.approx(0.4)
    failed = store.mark_round_failed(round_.id, "CUDA out of memory")
    assert (failed.status, failed.stage, failed.error) == (
        "failed",
        "epoch 2",
        "CUDA out of memory",
    )
    with pytest.raises(ValueError, match="unknown round status"):
        store.set_round_status(round_.id, "paused")
    with pytest.raises(StorageError):
        store.get_round(999)


def test_interrupted_rounds_are_found_at_open(store) -> None:
    running = store.start_round("demux")
    store.set_round_status(running.id, "scoring")
    waiting = store.start_round("demux")
    store.set_round_status(waiting.id, "annotating")
    path = store.path
    store.close()
    with open_project(path) as reopened:
        assert [r.id for r in reopened.interrupted_at_open] == [running.id]


def test_selection_is_saved_in_rank_order_and_replaced(store) -> None:
    round_ = store.start_round("demux", {"k": 3})
    saved = store.save_selection(round_.id, [7, 2, 9], [0.9, 0.5, 0.1], [1.0, 2.0, 3.0], k=3)
    assert [(s.rank, s.position, s.k) for s in saved] == [(0, 7, 3), (1, 2, 3), (2, 9, 3)]
    assert saved[0].example_key == store.example_key("source", "s7")
    assert saved[1].uncertainty == pytest.approx(0.5)
    store.save_selection(round_.id, [1])
    assert [(s.position, s.uncertainty) for s in store.selections(round_.id)] == [(1, None)]
    with pytest.raises(ValueError, match="uncertainty has 1 values"):
        store.save_selection(round_.id, [1, 2], [0.3])
    with pytest.raises(StorageError, match="no position"):
        store.save_selection(round_.id, [400])
    assert len(store.selections(round_.id)) == 1
