"""The random twin: trained in the background on as many random gold-labeled sentences as the
real round, evaluated on the same test pool, stored beside the round's own score."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.projects import open_store


@pytest.fixture
def tiny_project(tmp_path, monkeypatch):
    """(factory(name, **settings) -> store) of tiny sequence projects on the tiny model."""
    from service.projects import NewProject, ProjectSettings, create_project_from_pools
    from tests.fixtures.tiny_model import build_tiny_model_dir
    from tests.service.factories import TOPICS, sequence_pools

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    model_dir = build_tiny_model_dir(tmp_path / "tiny")
    stores = []

    def make(name: str, pools=None, **settings):
        settings = ProjectSettings(**{"strategy": "random", "budget": 3, "k": 2, **settings})
        new = NewProject(name, "sequence", TOPICS, str(model_dir), settings)
        store = open_store(create_project_from_pools(new, pools or sequence_pools(n_source=12)))
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


def test_the_twin_needs_gold_source_labels_a_test_pool_and_the_setting(tiny_project):
    from service.twin import twin_reason
    from tests.service.factories import sequence_pools

    assert twin_reason(tiny_project("gold")) is None
    assert "turned off" in twin_reason(tiny_project("off", baseline_twin=False))
    pools = sequence_pools(n_source=12)
    unlabeled = replace(pools, source=[replace(e, label=None) for e in pools.source])
    assert "no gold label" in twin_reason(tiny_project("plain", unlabeled))
    assert "no labeled test pool" in twin_reason(tiny_project("untested", replace(pools, test=[])))


def _real_round(store, labels: dict[int, str] | None = None) -> int:
    """Run the project's next real round in this thread (labels on the last round's picks)."""
    from service.annotation import round_items, save_label
    from service.store_runner import StoreRoundRunner

    if labels is not None:
        last = store.current_round()
        for item in round_items(store, last.id):
            save_label(store, last.id, item, item.example.gold, "ann")
        store.set_round_status(last.id, "done")
    current = store.start_round("random")
    StoreRoundRunner().run(store, current.id, lambda stage, fraction: None)
    return current.id


@pytest.mark.slow
def test_twin_trains_on_as_many_random_gold_labels_and_stores_its_point(tiny_project):
    from service.report import DEMUX_SERIES, TWIN_SERIES, learning_curve
    from service.twin import STATE_FILE, TWIN_FOLDER, run_twin

    store = tiny_project("twin")
    first = _real_round(store)
    point = run_twin(store, first)  # no label yet: the twin is the round's own model
    metrics = store.get_round(first).metrics
    assert point["twin_n_labeled"] == 0 and point["twin_metric"] == metrics["test_metric"]
    assert len(metrics["test_interval"]) == 2
    assert metrics["test_interval"][0] <= metrics["test_metric"] <= metrics["test_interval"][1]

    second = _real_round(store, labels={})
    n_labeled = store.get_round(second).metrics["n_labeled"]
    assert n_labeled == 3
    point = run_twin(store, second)
    assert point["twin_n_labeled"] == 3 and 0.0 <= point["twin_metric"] <= 1.0
    import json

    state = json.loads((store.artifacts / TWIN_FOLDER / STATE_FILE).read_text())
    picked_by_demux = {s.position for s in store.selections(first)}
    assert len(state["picked"]) == 3 and len(set(state["picked"])) == 3
    assert (store.artifacts / TWIN_FOLDER / "model").is_dir()
    curve = learning_curve(store)
    assert set(curve["series"]) == {DEMUX_SERIES, TWIN_SERIES}
    twin_rows = curve[curve["series"] == TWIN_SERIES]
    assert list(twin_rows["n_labeled"]) == [0, 3] and twin_rows["low"].notna().all()
    assert all(0 <= i < store.pool_size("source") for i in state["picked"])
    assert picked_by_demux  # the real round picked too; the twin keeps its own list
