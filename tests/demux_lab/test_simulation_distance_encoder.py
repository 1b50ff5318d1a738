"""simulate's distance settings: a fixed encoder for the distances, and the embedding layer."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from demux_core.models.task_model import TaskModel, load_checkpoint_tokenizer
from demux_core.scoring.pool import score_pool
from demux_lab.cli import build_parser, main
from demux_lab.simulation.args import pools_from_args
from tests.demux_lab import test_simulation
from tests.demux_lab.test_simulation import CLASSES, _base_argv
from tests.fixtures import tiny_model

# Fixtures shared through the module namespace (pytest collects them from here).
tiny_model_dir = tiny_model.tiny_model_dir
data = test_simulation.data


@pytest.fixture
def distances_seen(monkeypatch):
    """The source embeddings every selection of a run was given, in call order."""
    import demux_core.rounds.rescore as rounds

    seen: list[np.ndarray] = []
    real = rounds.select_with_details

    def recording(strategy, *, source_emb, **kwargs):
        seen.append(np.array(source_emb))
        return real(strategy, source_emb=source_emb, **kwargs)

    monkeypatch.setattr(rounds, "select_with_details", recording)
    return seen


def _argv(data, tiny_model_dir, out, *extra):
    argv = _base_argv(data, tiny_model_dir, out)
    argv += ["--budgets", "2,4,6", "--seeds", "0", "--strategies", "knn-uncertainty"]
    return argv + ["--epochs", "3", "--lr", "1e-3", *extra]


def _run(data, tiny_model_dir, out, *extra):
    assert main(_argv(data, tiny_model_dir, out, *extra)) == 0
    return json.loads((out / "settings.json").read_text())["config"]


def test_each_rounds_own_encoder_moves_the_distances(
    data, tiny_model_dir, tmp_path, distances_seen
):
    config = _run(data, tiny_model_dir, tmp_path / "current")
    assert config["distance_encoder"] == "current"
    # the shared zero-shot pass, the run's first picks, then after rounds 1 and 2
    assert len(distances_seen) == 4
    np.testing.assert_array_equal(distances_seen[1], distances_seen[0])
    assert not np.allclose(distances_seen[3], distances_seen[1])


def test_warm_start_distances_stay_fixed(data, tiny_model_dir, tmp_path, distances_seen):
    out = tmp_path / "warm"
    config = _run(data, tiny_model_dir, out, "--distance-encoder", "warm-start")
    assert config["distance_encoder"] == "warm-start"
    assert len(distances_seen) == 4
    for embeddings in distances_seen[1:]:
        np.testing.assert_array_equal(embeddings, distances_seen[0])


def test_pretrained_distances_come_from_the_untuned_encoder(
    data, tiny_model_dir, tmp_path, distances_seen
):
    out = tmp_path / "pre"
    extra = ("--distance-encoder", "pretrained", "--cache-dir", str(out))
    _run(data, tiny_model_dir, out, *extra)
    (warm_dir,) = [p for p in out.glob("warm_start-*") if p.is_dir()]
    tokenizer = load_checkpoint_tokenizer(warm_dir)
    args = build_parser().parse_args(_argv(data, tiny_model_dir, out, *extra))
    source = pools_from_args(args).source
    pretrained = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES)
    expected = score_pool(pretrained, tokenizer, source, progress=False).embeddings
    warm = score_pool(TaskModel.load(warm_dir), tokenizer, source, progress=False).embeddings
    assert len(distances_seen) == 4  # the shared zero-shot pass keeps its own
    for embeddings in distances_seen[1:]:
        np.testing.assert_allclose(embeddings, expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(expected, warm, atol=1e-5)


def test_the_embedding_layer_reaches_the_scores(data, tiny_model_dir, tmp_path, distances_seen):
    _run(data, tiny_model_dir, tmp_path / "last")
    last = list(distances_seen)
    distances_seen.clear()
    config = _run(data, tiny_model_dir, tmp_path / "first", "--embedding-layer", "1")
    assert config["round"]["scoring"]["embedding_layer"] == 1
    assert distances_seen[1].shape == last[1].shape
    assert not np.allclose(distances_seen[1], last[1])


def test_an_embedding_layer_the_model_lacks_fails_before_training(
    data, tiny_model_dir, tmp_path, capsys
):
    argv = _base_argv(data, tiny_model_dir, tmp_path / "o")
    argv += ["--embedding-layer", "3", "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 2
    assert "embedding_layer=3 does not exist" in capsys.readouterr().err
    assert not list((tmp_path / "cache").glob("warm_start-*"))  # refused before any training


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"distance_encoder": "final"}, "is not one of current, warm-start, pretrained"),
        ({"distance_encoder": "warm-start", "recipe": "frozen-head"}, "needs the fine-tune"),
    ],
)
def test_bad_distance_encoders_are_refused(changes, message):
    from demux_lab.simulation.config import SimulationConfig

    with pytest.raises(ValueError, match=message):
        SimulationConfig("sequence", ("a", "b"), ("random",), **changes)


def test_selected_rescoring_gives_the_same_run_as_rescoring_everything(
    data, tiny_model_dir, tmp_path
):
    """The CLI's indexed rounds (``--rescore selected``) pick and score what full rescoring does."""
    extra = ("--distance-encoder", "warm-start", "--cache-dir", str(tmp_path / "cache"))
    _run(data, tiny_model_dir, tmp_path / "all", *extra)
    config = _run(data, tiny_model_dir, tmp_path / "selected", *extra, "--rescore", "selected")
    assert config["rescore"] == "selected"

    def rows(folder):
        with (folder / "results.csv").open(encoding="utf-8") as handle:
            return [
                {k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(handle)
            ]

    assert rows(tmp_path / "selected") == rows(tmp_path / "all")


def test_selected_rescoring_needs_fixed_distances():
    from demux_lab.simulation.config import SimulationConfig

    with pytest.raises(ValueError, match="needs fixed distances"):
        SimulationConfig("sequence", ("a", "b"), ("random",), rescore="selected")
