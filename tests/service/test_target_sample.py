"""A target test sample: drawn from the target pool, labeled by annotators, evaluated on and
never trained on."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from service.projects import NewProject, ProjectSettings, create_project_from_pools, open_store
from service.target_sample import (
    draw_test_sample,
    labeled_test_pool,
    next_sample_item,
    sample_progress,
    save_sample_label,
)
from tests.service.factories import TOPICS, make_project, sequence_pools


def _untested(name: str, model_spec: str | None = None):
    pools = replace(sequence_pools(n_source=12, n_target=8), test=[])
    settings = ProjectSettings(strategy="random", budget=3, k=2)
    args = (name, "sequence", TOPICS) + ((model_spec,) if model_spec else ())
    return open_store(create_project_from_pools(NewProject(*args, settings=settings), pools))


def test_the_sample_is_drawn_once_seeded_and_labels_go_to_the_test_pool(demux_home):
    store = _untested("sample")
    assert sample_progress(store) is None
    assert draw_test_sample(store, 5, seed=3) == 5
    assert sample_progress(store) == (0, 5)
    targets = {s.example.text for s in store.stored_examples("target")}
    assert {s.example.text for s in store.stored_examples("test")} <= targets
    with pytest.raises(ValueError, match="has a test pool already"):
        draw_test_sample(store, 5)
    first = next_sample_item(store)
    save_sample_label(store, first.key, "health", "ana")
    assert sample_progress(store) == (1, 5) and next_sample_item(store).key != first.key
    assert store.current_labels("source") == {}  # never a training label
    assert [e.gold for e in labeled_test_pool(store)] == ["health"]
    store.close()


def test_a_project_with_a_test_pool_keeps_it(demux_home):
    store = open_store(make_project())
    with pytest.raises(ValueError, match="test pool already"):
        draw_test_sample(store, 2)
    assert [e.gold for e in labeled_test_pool(store)] == [
        e.gold for e in store.pool_examples("test")
    ]
    store.close()


@pytest.mark.slow
def test_rounds_evaluate_on_the_labeled_sample_and_never_train_on_it(tmp_path, monkeypatch):
    from service.annotation import round_items, save_label
    from service.store_runner import TRAINED_KEYS_FILE, StoreRoundRunner
    from tests.fixtures.tiny_model import build_tiny_model_dir

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    store = _untested("real", str(build_tiny_model_dir(tmp_path / "tiny")))
    draw_test_sample(store, 4, seed=0)
    for label, stored in zip(("sports", "health", "politics", "sports"),
                             store.stored_examples("test"), strict=True):  # fmt: skip
        save_sample_label(store, stored.key, label, "ana")
    first = store.start_round("random")
    StoreRoundRunner().run(store, first.id, lambda stage, fraction: None)
    metrics = store.get_round(first.id).metrics
    assert "test_metric" in metrics and len(metrics["test_interval"]) == 2
    for item in round_items(store, first.id):
        save_label(store, first.id, item, item.example.gold, "ann")
    store.set_round_status(first.id, "done")
    second = store.start_round("random")
    StoreRoundRunner().run(store, second.id, lambda stage, fraction: None)
    done = store.get_round(second.id)
    trained = json.loads((tmp_path.joinpath(done.checkpoint_path) / TRAINED_KEYS_FILE).read_text())
    test_keys = {s.key for s in store.stored_examples("test")}
    assert trained and test_keys.isdisjoint(int(k) for k in trained)
    assert "test_metric" in done.metrics
    store.close()
