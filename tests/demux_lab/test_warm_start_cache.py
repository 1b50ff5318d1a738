from dataclasses import replace

import pytest

from demux_core.config import TrainingConfig
from demux_core.data.examples import SequenceExample
from demux_core.models.task_model import META_FILE
from demux_core.rounds.types import Pools, RoundConfig
from demux_lab.simulation.config import SimulationConfig
from demux_lab.simulation.warm_start_cache import warm_start_key, warm_start_model
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
CLASSES = ("place", "sport")


def _seed(n=6, offset=0):
    sentences = tiny_model.TINY_SENTENCES
    return [
        SequenceExample(
            f"s{i}", "eng", sentences[(i + offset) % len(sentences)], label=CLASSES[i % 2]
        )
        for i in range(n)
    ]


def _config(model, **training):
    warm = RoundConfig(training=TrainingConfig(epochs=1, batch_size=4, **training))
    return SimulationConfig("sequence", CLASSES, ("random",), model=model, warm_start=warm)


def test_key_changes_with_warm_start_settings_and_seed_examples_only(tiny_model_dir):
    config = _config(str(tiny_model_dir))
    key = warm_start_key(config, _seed())
    assert key == warm_start_key(config, _seed())
    assert key != warm_start_key(_config(str(tiny_model_dir), learning_rate=1e-3), _seed())
    assert key != warm_start_key(config, _seed(offset=1))
    assert key != warm_start_key(replace(config, tune_encoder_on_seed=False), _seed())
    # settings of the rounds (strategies, seeds, round budget) do not touch the warm start
    other_rounds = replace(config, strategies=("knn-uncertainty",), seeds=(5,), budgets=(3, 6))
    assert key == warm_start_key(other_rounds, _seed())


def test_second_call_reuses_the_checkpoint(tiny_model_dir, tmp_path, monkeypatch):
    config = _config(str(tiny_model_dir))
    pools = Pools(source=(), target=(), seed=_seed())
    folder = warm_start_model(config, pools, tmp_path, show_bars=False)
    assert (folder / META_FILE).is_file()

    def must_not_train(*args, **kwargs):
        raise AssertionError("the cached warm start was trained again")

    monkeypatch.setattr("demux_core.training.round.warm_start", must_not_train)
    assert warm_start_model(config, pools, tmp_path, show_bars=False) == folder


def test_a_partial_folder_is_not_taken_for_a_finished_one(tiny_model_dir, tmp_path):
    config = _config(str(tiny_model_dir))
    pools = Pools(source=(), target=(), seed=_seed())
    key = warm_start_key(config, pools.seed)
    leftover = tmp_path / f"warm_start-{key}.partial"
    leftover.mkdir()
    (leftover / "junk").write_text("from a killed run")
    folder = warm_start_model(config, pools, tmp_path, show_bars=False)
    assert folder.name == f"warm_start-{key}" and (folder / META_FILE).is_file()
    assert not leftover.exists()


def test_a_run_killed_mid_save_leaves_no_complete_looking_folder(
    tiny_model_dir, tmp_path, monkeypatch
):
    config = _config(str(tiny_model_dir))
    pools = Pools(source=(), target=(), seed=_seed())

    def dies(self, folder, **kwargs):
        folder.mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr("demux_core.models.task_model.TaskModel.save", dies)
    with pytest.raises(KeyboardInterrupt):
        warm_start_model(config, pools, tmp_path, show_bars=False)
    assert not list(tmp_path.glob("warm_start-????????????"))


def test_runs_started_side_by_side_train_the_warm_start_once(tiny_model_dir, tmp_path, monkeypatch):
    import threading

    import demux_core.training.round as round_training

    config = _config(str(tiny_model_dir))
    pools = Pools(source=(), target=(), seed=_seed())
    real_warm_start = round_training.warm_start
    first_is_training, calls = threading.Event(), []

    def slow_warm_start(*args, **kwargs):
        calls.append(threading.current_thread().name)
        first_is_training.set()
        threading.Event().wait(0.5)  # the second run arrives while this one trains
        return real_warm_start(*args, **kwargs)

    monkeypatch.setattr(round_training, "warm_start", slow_warm_start)
    folders = {}

    def run(name):
        folders[name] = warm_start_model(config, pools, tmp_path, show_bars=False)

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert first_is_training.wait(60)
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    first.join(120)
    second.join(120)
    assert calls == ["first"]
    assert folders["first"] == folders["second"]
    assert (folders["second"] / META_FILE).is_file()
