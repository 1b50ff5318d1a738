"""A project without a seed set: its first rounds pick with the cold start's strategy (random
by default, typical-knn when chosen), and say why."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.fake_runner import FakeRunner
from service.projects import NewProject, ProjectSettings, create_project_from_pools, open_store
from service.round_control import start_next_round
from service.worker import RoundWorker
from tests.service.factories import TOPICS, sequence_pools


def _seedless(name: str, model_spec: str | None = None, **settings):
    pools = replace(sequence_pools(n_source=12), seed=[])
    settings = ProjectSettings(**{"strategy": "knn-uncertainty", "budget": 3, "k": 2,
                                  "cold_start_labels": 3, **settings})  # fmt: skip
    args = (name, "sequence", TOPICS) + ((model_spec,) if model_spec else ())
    return open_store(create_project_from_pools(NewProject(*args, settings=settings), pools))


def test_rounds_switch_from_the_cold_start_to_the_projects_strategy(demux_home):
    from service.annotation import round_items, save_label

    store = _seedless("cold")
    worker = RoundWorker(open_store, FakeRunner)
    first = start_next_round(store, worker)
    assert worker.wait_idle(10)
    assert first.strategy == "random"  # the default cold start
    assert "cold start: no seed set and 0 of 3 labels" in first.config["strategy_reason"]
    for item in round_items(store, first.id):
        save_label(store, first.id, item, item.example.gold, "ann")
    second = start_next_round(store, worker)
    assert second.strategy == "knn-uncertainty"
    assert "3 labels train the head" in second.config["strategy_reason"]
    worker.wait_idle(10)
    worker.stop(5)
    store.close()


@pytest.mark.slow
def test_a_real_cold_start_round_picks_from_the_target_neighbourhood(tmp_path, monkeypatch):
    """The real runner (tiny model): no warm start, typical-knn picks, nothing fails."""
    from service.store_runner import StoreRoundRunner
    from tests.fixtures.tiny_model import build_tiny_model_dir

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    store = _seedless(
        "real", str(build_tiny_model_dir(tmp_path / "tiny")), cold_start="typical-knn"
    )
    worker = RoundWorker(open_store, StoreRoundRunner)
    first = start_next_round(store, worker)
    assert worker.wait_idle(300)
    done = store.get_round(first.id)
    assert done.status == "annotating", done.error
    assert done.strategy == "typical-knn" and len(store.selections(first.id)) == 3
    assert not (store.artifacts / "model-warm-start").exists()  # no seed set: no warm start
    worker.stop(5)
    store.close()


@pytest.mark.real_model
@pytest.mark.slow
def test_the_default_model_starts_from_nothing_and_hands_over_to_margins(tmp_path, monkeypatch):
    """The real runner with the default model: round 1 picks at random (the default cold
    start), round 2 trains on those labels from the bare encoder and picks by margins."""
    from service.annotation import round_items, save_label
    from service.store_runner import StoreRoundRunner
    from tests.service.test_store_runner import _home

    _home(tmp_path, monkeypatch)
    store = _seedless("real-default", baseline_twin=False)
    worker = RoundWorker(open_store, StoreRoundRunner)
    first = start_next_round(store, worker)
    assert worker.wait_idle(600)
    assert store.get_round(first.id).status == "annotating", store.get_round(first.id).error
    assert first.strategy == "random" and not (store.artifacts / "model-warm-start").exists()
    for item in round_items(store, first.id):
        save_label(store, first.id, item, item.example.gold, "ann")
    second = start_next_round(store, worker)
    assert worker.wait_idle(600)
    done = store.get_round(second.id)
    assert done.status == "annotating", done.error
    assert done.strategy == "knn-uncertainty" and done.metrics["n_labeled"] == 3
    assert "3 labels train the head" in done.config["strategy_reason"]
    worker.stop(5)
    store.close()
