import os
from pathlib import Path

import pytest

from service.projects import open_store
from service.round_control import Phase, round_state, start_next_round
from service.store_runner import (
    StoreRoundRunner,
    project_recipe,
    trained_keys_after,
)
from service.worker import RoundWorker
from tests.service.factories import make_project

MODEL_CACHE = Path(os.environ.get("DEMUX_HOME", Path.home() / ".cache" / "demux-studio")) / "models"


def _home(tmp_path, monkeypatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    if MODEL_CACHE.is_dir():  # reuse the converted default model instead of converting again
        (home / "models").symlink_to(MODEL_CACHE)
    monkeypatch.setenv("DEMUX_HOME", str(home))
    monkeypatch.delenv("DEMUX_PROJECTS", raising=False)  # projects go under this home


@pytest.mark.real_model
@pytest.mark.slow
@pytest.mark.parametrize("round_mode", ["indexed", "full"])
def test_real_runner_scores_selects_and_trains_on_new_labels(tmp_path, monkeypatch, round_mode):
    _home(tmp_path, monkeypatch)
    store = open_store(make_project(budget=2, round_mode=round_mode))
    worker = RoundWorker(open_store, StoreRoundRunner)
    first = start_next_round(store, worker)
    assert worker.wait_idle(600)
    state = round_state(store, worker)
    assert state.phase == Phase.ANNOTATING, state.round.error
    assert len(store.selections(first.id)) == 2
    assert state.round.metrics["metric_name"] == "accuracy"
    assert store.load_projection(state.round.model_version)[1].shape[1] == 2

    from service.annotation import round_items, save_label

    for item in round_items(store, first.id):
        save_label(store, first.id, item, "sports", "ann")
    second = start_next_round(store, worker)
    assert worker.wait_idle(600)
    state = round_state(store, worker)
    assert state.phase == Phase.ANNOTATING, state.round.error
    assert state.round.metrics["n_labeled"] == 2
    assert "training" in state.round.timings
    picked_first = {s.example_key for s in store.selections(first.id)}
    assert picked_first.isdisjoint({s.example_key for s in store.selections(second.id)})
    assert Path(state.round.checkpoint_path).is_dir()
    assert (store.artifacts / "pool-index").is_dir() == (round_mode == "indexed")
    worker.stop(5)
    store.close()


@pytest.mark.real_model
@pytest.mark.slow
def test_indexed_rounds_keep_the_map_and_score_only_what_selection_reads(tmp_path, monkeypatch):
    _home(tmp_path, monkeypatch)
    store = open_store(make_project(budget=2, strategy="knn-uncertainty", n_source=80))
    worker = RoundWorker(open_store, StoreRoundRunner)
    first = start_next_round(store, worker)
    assert worker.wait_idle(600)
    one = round_state(store, worker).round
    assert one.metrics["index_search"] == "exact" and one.timings["indexing"] > 0

    from service.annotation import round_items, save_label

    for item in round_items(store, first.id):
        save_label(store, first.id, item, "sports", "ann")
    start_next_round(store, worker)
    assert worker.wait_idle(600)
    two = round_state(store, worker).round
    assert two.model_version != one.model_version, two.error
    maps = [dict(zip(*store.load_projection(r.model_version), strict=True)) for r in (one, two)]
    shared = set(maps[0]) & set(maps[1])
    assert shared and all((maps[0][p] == maps[1][p]).all() for p in shared)  # nothing moved
    uncertainty, predictions, embeddings = store.load_scores(two.model_version, "source")
    unscored = [i for i, p in enumerate(predictions) if p is None]
    assert unscored and all(uncertainty[i] != uncertainty[i] for i in unscored)  # NaN
    picked = {s.position for s in store.selections(two.id)}
    assert picked.isdisjoint(unscored)
    assert embeddings.shape[0] == store.pool_size("source")
    # the frozen bottom layers' outputs are kept for the next rounds: one generation (the warm
    # start's bottom), parts written by both rounds
    (generation,) = (store.artifacts / "lower-layers").iterdir()
    assert len(list(generation.glob("part-*.json"))) >= 2
    from service.mapview import map_frame

    frame = map_frame(store, two.model_version)
    assert len(frame) and frame["uncertainty"].notna().any()
    worker.stop(5)
    store.close()


def test_rounds_hold_out_part_of_the_seed_pool_for_keep_best(tmp_path, monkeypatch):
    from dataclasses import replace

    from demux_core.data.examples import SequenceExample
    from service.projects import NewProject, ProjectSettings, create_project_from_pools
    from service.store_runner import _seed_split
    from tests.service.factories import TOPICS, sequence_pools

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    seed = [SequenceExample(f"e{i}", "eng", f"seed {i}", label=TOPICS[i % 3]) for i in range(30)]
    pools = replace(sequence_pools(), seed=seed)
    settings = ProjectSettings(strategy="random", budget=2, k=2)
    path = create_project_from_pools(
        NewProject("split", "sequence", TOPICS, settings=settings), pools
    )
    store = open_store(path)
    train, heldout = _seed_split(store, keep_best=True)
    assert len(train) == 24 and len(heldout) == 6
    assert not {e.id for e in train} & {e.id for e in heldout}
    assert _seed_split(store, keep_best=True) == (train, heldout)  # the same split every round
    everything, none = _seed_split(store, keep_best=False)  # the default: all of it trains
    assert len(everything) == 30 and none == []
    store.close()


def test_round_recipe_follows_the_task_and_the_project_settings():
    sentence = project_recipe({}, "sequence").training
    assert sentence.learning_rate == 5e-6 and sentence.seed_replay_min == 80
    assert project_recipe({}, "pair").training.learning_rate == 5e-6
    # a sentence project may start without a seed set: its head trains at 5e-3, 10 steps at least
    assert (sentence.head_learning_rate, sentence.min_steps) == (5e-3, 10)
    tagging = project_recipe({}, "token").training
    assert tagging.learning_rate == 1e-4 and tagging.min_steps == 10
    assert tagging.head_learning_rate == 5e-3
    chosen = project_recipe({"learning_rate": 1e-4, "keep_best": True}, "sequence").training
    assert chosen.learning_rate == 1e-4 and chosen.keep_best
    assert sentence.min_train_labels == 0
    assert project_recipe({"min_train_labels": 30}, "sequence").training.min_train_labels == 30
    assert sentence.warm_start_weight == 0.0  # also a project stored before the setting
    assert project_recipe({"warm_start_weight": 0.5}, "token").training.warm_start_weight == 0.5


def test_labels_of_a_round_that_did_not_train_stay_untrained():
    labeled = {"s3": None, "s1": None, "s2": None}
    assert trained_keys_after(True, labeled, {"s1"}) == ["s1", "s2", "s3"]
    # below min_train_labels: the checkpoint keeps what it was trained on, and the next
    # round's new labels are s2 and s3 again
    assert trained_keys_after(False, labeled, {"s1"}) == ["s1"]


@pytest.mark.parametrize("task", ["token", "sequence", "pair"])  # simulate has no QA
@pytest.mark.parametrize(
    ("flags", "settings"),
    [
        ([], {}),
        (["--lr", "1e-4", "--keep-best", "--heldout", "h.tsv", "--k", "2"],
         {"learning_rate": 1e-4, "keep_best": True, "k": 2}),
        (["--min-train-labels", "30", "--warm-start-weight", "0.3", "--epochs", "2"],
         {"min_train_labels": 30, "warm_start_weight": 0.3, "epochs": 2}),
    ],
)  # fmt: skip
def test_app_and_cli_get_equal_settings_for_equal_inputs(task, flags, settings):
    """Both build a round's settings with demux_core.recipes.round_recipe: a project whose
    settings say what the CLI's flags say trains exactly as the simulation does."""
    from demux_lab.cli import build_parser
    from demux_lab.simulation.args import config_from_args
    from service.projects import ProjectSettings
    from service.store_runner import project_recipe

    required = ["--task", task, "--source", "s.tsv", "--target-pool", "t.tsv", "--out", "x"]
    required += ["--seed-set", "e.tsv"]  # a trained warm start, as in a project with seeds
    cli = config_from_args(build_parser().parse_args(["simulate", *required, *flags]), ("a", "b"))
    stored = {**ProjectSettings.for_task(task).to_dict(), **settings}
    app = project_recipe(stored, task)
    assert app.training == cli.round.training
    assert app.warm_start == cli.warm_start.training
    assert app.k == cli.round.k


def test_the_recipe_follows_the_task():
    token = project_recipe({}, "token")
    assert (token.warm_start.learning_rate, token.warm_start.epochs) == (1e-4, 4)
    assert project_recipe({}, "sequence", has_seed=False).training.warm_start_weight == 0.0
    seedless = project_recipe({"warm_start_weight": 0.5}, "sequence", has_seed=False)
    assert seedless.training.warm_start_weight == 0.0  # no trained head to average with


def test_warm_start_weight_keeps_the_warm_start_for_the_rounds(tmp_path, monkeypatch):
    from dataclasses import replace

    from demux_core.errors import DemuxError
    from demux_core.models.task_model import TaskModel
    from service.projects import NewProject, ProjectSettings, create_project_from_pools
    from service.store_runner import (
        WARM_START_FOLDER,
        _start_model,
        _warm_start_folder,
        project_recipe,
    )
    from tests.fixtures.tiny_model import build_tiny_model_dir
    from tests.service.factories import TOPICS, sequence_pools

    monkeypatch.setenv("DEMUX_HOME", str(tmp_path))
    model_dir = build_tiny_model_dir(tmp_path / "tiny")

    def started(name: str, weight: float, seed_pool: bool, twin: bool = False):
        settings = ProjectSettings(strategy="random", budget=2, k=2, warm_start_weight=weight,
                                   baseline_twin=twin)  # fmt: skip
        pools = sequence_pools() if seed_pool else replace(sequence_pools(), seed=[])
        new = NewProject(name, "sequence", TOPICS, str(model_dir), settings)
        store = open_store(create_project_from_pools(new, pools))
        store.start_round("random")
        recipe = project_recipe(store.info().settings, "sequence", has_seed=seed_pool)
        model, _tokenizer, trained = _start_model(store, store.info(), 1, recipe)
        assert trained == set()
        return store, recipe.training, model

    store, training, model = started("kept", 0.5, seed_pool=True)
    assert training.warm_start_weight == 0.5
    folder = _warm_start_folder(store, training)
    assert folder == store.artifacts / WARM_START_FOLDER
    kept = TaskModel.load(folder)
    assert all((kept.state_dict()[n] == v).all() for n, v in model.state_dict().items())
    import shutil

    shutil.rmtree(folder)
    with pytest.raises(DemuxError, match="warm_start_weight=0.5.*is missing"):
        _warm_start_folder(store, training)
    store.close()

    for name, weight, seed_pool in (("off", 0.0, True), ("seedless", 0.5, False)):
        store, training, _ = started(name, weight, seed_pool)
        # off, or no trained warm start to average with (its head would be untrained)
        assert training.warm_start_weight == 0.0
        assert _warm_start_folder(store, training) is None
        assert not (store.artifacts / WARM_START_FOLDER).exists()
        store.close()
    # the random twin starts from the warm start too, so it is kept for it
    store, training, _ = started("twin", 0.0, True, twin=True)
    assert training.warm_start_weight == 0.0 and (store.artifacts / WARM_START_FOLDER).is_dir()
    store.close()
