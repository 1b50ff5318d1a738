import csv
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from demux_core.data.examples import SequenceExample
from demux_core.data.readers import write_csv
from demux_lab.cli import main
from demux_lab.reporting import read_rows, summary_markdown
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
SENTENCES = tiny_model.TINY_SENTENCES
CLASSES = ("place", "sport", "science")


def _write(folder, name, lang, n, offset=0):
    path = folder / lang / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        SequenceExample(
            f"{i}", lang, SENTENCES[(i + offset) % len(SENTENCES)], label=CLASSES[i % 3]
        )
        for i in range(n)
    ]
    write_csv(rows, path)
    return path


@pytest.fixture
def data(tmp_path):
    return {
        "source": [_write(tmp_path, "train", lang, 12, i) for i, lang in enumerate(("hau", "yor"))],
        "pool": _write(tmp_path, "dev", "wol", 6),
        "test": _write(tmp_path, "test", "wol", 9, 3),
        "seed": _write(tmp_path, "train", "eng", 9, 5),
    }


def test_simulate_writes_tidy_csv_plot_and_summary(data, tiny_model_dir, tmp_path):
    out = tmp_path / "run"
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", *map(str, data["source"]), "--target-pool", str(data["pool"])]
    argv += ["--target-test", str(data["test"]), "--seed-set", str(data["seed"])]
    argv += ["--strategies", "knn-uncertainty,random,egalitarian", "--seeds", "0,1"]
    argv += ["--budget", "3", "--rounds", "2", "--warm-epochs", "1", "--epochs", "1"]
    argv += ["--out", str(out)]
    assert main(argv) == 0

    rows = read_rows(out / "results.csv")
    assert len(rows) == 3 * 2 * 3  # strategies x seeds x (zero-shot + 2 rounds)
    assert {r.round for r in rows} == {0, 1, 2}
    assert all(r.budget_used == 3 * r.round for r in rows)
    for row in rows:
        assert 0.0 <= row.value <= 1.0 and row.metric == "accuracy"
        assert sum(row.picked.values()) == (3 if row.round else 0)
        assert set(row.picked) <= {"hau", "yor"}
    # the zero-shot model is shared: every run starts from the same figure
    assert len({r.value for r in rows if r.round == 0}) == 1
    # egalitarian splits each batch of 3 over 2 languages as evenly as it can
    assert all(
        sorted(r.picked.values()) == [1, 2] for r in rows if r.strategy == "egalitarian" and r.round
    )
    assert (out / "curves.png").stat().st_size > 1000
    settings = json.loads((out / "settings.json").read_text())
    assert settings["sizes"] == {"source": 24, "target": 6, "test": 9, "seed": 9, "heldout": 0}
    with open(out / "results.csv", newline="") as handle:
        assert next(csv.reader(handle))[:4] == ["strategy", "seed", "round", "budget_used"]


def test_simulate_reports_bad_input_clearly(data, tiny_model_dir, tmp_path, capsys):
    bad = tmp_path / "bad" / "train.csv"
    bad.parent.mkdir()
    bad.write_bytes(b"text,label\n\xff\xfe broken,place\n")
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", str(bad), "--target-pool", str(data["pool"]), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "bad/train.csv:2: not UTF-8" in err


def test_summary_table_has_mean_and_std():
    from demux_lab.simulation.result_rows import ResultRow

    rows = [
        ResultRow("random", s, 1, 10, "accuracy", v, 1.0, {}, {}) for s, v in ((0, 0.5), (1, 0.7))
    ]
    table = summary_markdown(rows)
    assert "| random | 60.0 ± 10.0 |" in table


def test_picks_table_gives_each_strategys_language_shares():
    from demux_lab.reporting import picks_markdown, round_seconds
    from demux_lab.simulation.result_rows import ResultRow

    rows = [
        ResultRow("knn", 0, 1, 4, "f1", 0.1, 10.0, {"hau": 3, "ibo": 1}, {}),
        ResultRow("knn", 1, 1, 4, "f1", 0.1, 30.0, {"hau": 1, "ibo": 3}, {}),
        ResultRow("knn", 0, 0, 0, "f1", 0.1, 99.0, {}, {}),
    ]
    table = picks_markdown(rows)
    assert "| strategy | hau | ibo |" in table and "| knn | 50% | 50% |" in table
    assert round_seconds(rows) == (20.0, 30.0)  # the zero-shot row does not count
    assert picks_markdown(rows, by="label") == ""  # no row knows its labels
    labeled = [replace(rows[0], picked_labels={"sport": 3, "place": 1})]
    assert "| knn | 25% | 75% |" in picks_markdown(labeled, by="label")


def _base_argv(data, tiny_model_dir, out):
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", *map(str, data["source"]), "--target-pool", str(data["pool"])]
    argv += ["--target-test", str(data["test"]), "--seed-set", str(data["seed"])]
    argv += ["--warm-epochs", "1", "--epochs", "1", "--out", str(out)]
    return argv


def test_frozen_head_recipe_follows_the_budget_schedule(data, tiny_model_dir, tmp_path):
    out = tmp_path / "frozen"
    argv = _base_argv(data, tiny_model_dir, out)
    argv += ["--recipe", "frozen-head", "--budgets", "2,5", "--seeds", "0,1"]
    argv += ["--strategies", "knn-uncertainty,random", "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    rows = read_rows(out / "results.csv")
    assert len(rows) == 2 * 2 * 3
    assert [r.budget_used for r in rows[:3]] == [0, 2, 5]
    assert all(sum(r.picked.values()) == {0: 0, 1: 2, 2: 3}[r.round] for r in rows)
    assert all(sum(r.picked_labels.values()) == sum(r.picked.values()) for r in rows)
    assert all(r.ci_low <= r.value <= r.ci_high for r in rows)
    assert len({r.value for r in rows if r.round == 0}) == 1  # seed-set head shared
    assert len(list((tmp_path / "cache" / "features").glob("*.npz"))) == 4  # 4 pools, once
    lines = (out / "predictions.jsonl").read_text().splitlines()
    assert len(json.loads(lines[0])["gold"]) == 9 and len(lines) == 1 + len(rows)
    assert len(json.loads(lines[1])["predictions"]) == 9


def test_fine_tune_recipe_follows_the_budget_schedule_with_intervals(
    data, tiny_model_dir, tmp_path
):
    out = tmp_path / "tuned"
    argv = _base_argv(data, tiny_model_dir, out)
    argv += ["--budgets", "2,5", "--seeds", "0", "--strategies", "random"]
    argv += ["--seed-replay-min", "4"]
    assert main(argv) == 0
    settings = json.loads((out / "settings.json").read_text())
    training = settings["config"]["round"]["training"]
    assert training["seed_replay_min"] == 4
    assert training["learning_rate"] == 5e-6  # the sentence-task default, no --lr given
    assert settings["config"]["warm_start"]["training"]["learning_rate"] == 5e-5
    rows = read_rows(out / "results.csv")
    assert [r.budget_used for r in rows] == [0, 2, 5]
    assert [sum(r.picked.values()) for r in rows] == [0, 2, 3]
    assert [sum(r.picked_labels.values()) for r in rows] == [0, 2, 3]
    assert set().union(*(r.picked_labels for r in rows)) <= set(CLASSES)
    assert all(r.ci_low <= r.value <= r.ci_high for r in rows)
    assert "Share of the picks per source label" in (out / "summary.md").read_text()
    # label-free progress: every trained round compares its target predictions with the last
    import math

    assert math.isnan(rows[0].target_kappa)  # the zero-shot row
    assert all(-1 <= r.target_kappa <= 1 and 0 <= r.target_changed <= 1 for r in rows[1:])
    assert math.isnan(rows[0].target_mean_margin)
    assert all(0 <= r.target_mean_margin < math.inf for r in rows[1:])  # read back from the CSV
    assert "| random | 0 | " in (out / "summary.md").read_text().split("Stopping signal")[1]


def test_frozen_head_recipe_starts_from_nothing_with_the_cold_start(
    data, tiny_model_dir, tmp_path, monkeypatch
):
    """No seed set: round 0 has no score, knn-uncertainty's first batch is typical-knn's."""
    from demux_lab.frozen_head import simulation as frozen

    chosen: list[str] = []
    real = frozen.select_with_details
    monkeypatch.setattr(frozen, "select_with_details",
                        lambda name, **kw: chosen.append(name) or real(name, **kw))  # fmt: skip
    out = tmp_path / "cold"
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", *map(str, data["source"]), "--target-pool", str(data["pool"])]
    argv += ["--target-test", str(data["test"]), "--recipe", "frozen-head", "--budgets", "4,8"]
    argv += ["--strategies", "knn-uncertainty", "--seeds", "0", "--cold-start", "typical-knn"]
    argv += ["--cold-start-labels", "4", "--out", str(out)]
    assert main(argv) == 0
    rows = read_rows(out / "results.csv")
    assert [r.budget_used for r in rows] == [0, 4, 8]
    assert math.isnan(rows[0].value) and all(0 <= r.value <= 1 for r in rows[1:])
    assert chosen == ["typical-knn", "knn-uncertainty"]


def _count_examples(monkeypatch, module, name: str) -> list[int]:
    """Wrap ``module.name(model, tokenizer, examples, ...)``; returns the list of the number
    of examples of each call, filled as the calls happen."""
    counts: list[int] = []
    real = getattr(module, name)

    def counting(model, tokenizer, examples, *args, **kwargs):
        counts.append(len(examples))
        return real(model, tokenizer, examples, *args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return counts


def test_score_free_strategies_skip_rescoring_and_pick_the_same(
    data, tiny_model_dir, tmp_path, monkeypatch
):
    import demux_core.rounds.round as rounds
    import demux_lab.simulation.run as simulation

    passes = _count_examples(monkeypatch, rounds, "score_pool")

    def run(name):
        passes.clear()
        argv = _base_argv(data, tiny_model_dir, tmp_path / name)
        argv += ["--budgets", "2,5,9", "--seeds", "0,1", "--strategies", "random,egalitarian"]
        argv += ["--cache-dir", str(tmp_path / "cache")]
        assert main(argv) == 0
        rows = read_rows(tmp_path / name / "results.csv")
        return [(r.strategy, r.seed, r.round, r.value, r.picked, r.picked_labels) for r in rows]

    skipped = run("skipped")
    assert passes == [24 + 6]  # source + target pools scored once, for the zero-shot round
    monkeypatch.setattr(simulation, "SCORE_FREE_STRATEGIES", frozenset())
    rescored = run("rescored")
    assert passes == [24 + 6] * (1 + 2 * 2 * 2)  # + 2 strategies x 2 seeds x 2 rescorings
    assert skipped == rescored  # same picks, so the same labels and the same test scores


def test_results_written_before_picked_labels_existed_still_read(tmp_path):
    path = tmp_path / "old.csv"
    header = "strategy,seed,round,budget_used,metric,value,seconds,picked_per_language,"
    header += "per_language,ci_low,ci_high"
    path.write_text(header + '\nrandom,0,1,2,accuracy,0.5,1.0,"{""hau"": 2}",{},0.4,0.6\n')
    (row,) = read_rows(path)
    assert row.picked == {"hau": 2} and row.picked_labels == {}


@pytest.mark.parametrize(
    ("extra", "message", "before_any_output"),
    [
        (["--target-fraction", "0.5"], "frozen-head recipe only", True),
        (["--disjoint-ids", "--source-per-language", "8"], "no earlier pool uses", True),
    ],
)
def test_bad_simulate_settings_are_clear_errors(
    extra, message, before_any_output, data, tiny_model_dir, tmp_path, capsys
):
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", *map(str, data["source"]), "--target-pool", str(data["pool"])]
    argv += [*extra, "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    if before_any_output:  # settings errors come before the output folder is made
        assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"budgets": (5, 5)}, "increasing"),
        ({"budgets": (0, 5)}, ">= 1"),
        ({"recipe": "magic"}, "recipe"),
        ({"target_fraction": 0.0}, "target_fraction"),
        ({"target_fraction": 0.5}, "frozen-head recipe only"),
    ],
)
def test_simulation_config_refuses_bad_settings(changes, message):
    from demux_lab.simulation.config import SimulationConfig

    with pytest.raises(ValueError, match=message):
        SimulationConfig("sequence", ("a", "b"), ("random",), **changes)


def test_schedule_and_increments():
    from demux_core.rounds.types import RoundConfig
    from demux_lab.simulation.config import SimulationConfig

    scheduled = SimulationConfig("sequence", ("a", "b"), ("random",), budgets=(10, 50, 100))
    assert scheduled.increments == (10, 40, 50)
    plain = SimulationConfig(
        "sequence", ("a", "b"), ("random",), rounds=3, round=RoundConfig(budget=7)
    )
    assert plain.schedule == (7, 14, 21) and plain.increments == (7, 7, 7)


def test_target_rows_sample_per_seed():
    from demux_lab.frozen_head.simulation import target_rows

    assert target_rows(10, 1.0, 3).tolist() == list(range(10))
    half = target_rows(10, 0.5, 0)
    assert len(half) == 5 and len(set(half)) == 5
    assert np.array_equal(half, target_rows(10, 0.5, 0))
    assert not np.array_equal(half, target_rows(10, 0.5, 1))


def test_heldout_may_span_several_source_language_files(data, tiny_model_dir, tmp_path):
    out = tmp_path / "heldout"
    argv = _base_argv(data, tiny_model_dir, out)
    argv += ["--heldout", *map(str, data["source"]), "--heldout-size", "2"]
    argv += ["--budgets", "2", "--seeds", "0", "--strategies", "random"]
    assert main(argv) == 0
    settings = json.loads((out / "settings.json").read_text())
    assert settings["sizes"]["heldout"] == 4  # 2 per file
    training = settings["config"]["round"]["training"]
    assert training["keep_best"] is False and training["seed_replay"] is True  # the defaults


def test_labels_below_min_train_labels_wait_for_the_round_that_trains(
    data, tiny_model_dir, tmp_path, monkeypatch
):
    import demux_core.rounds.round as rounds

    trained_on = _count_examples(monkeypatch, rounds, "fine_tune")
    out = tmp_path / "waiting"
    argv = _base_argv(data, tiny_model_dir, out)
    argv += ["--budgets", "2,5,9", "--seeds", "0", "--strategies", "random"]
    argv += ["--min-train-labels", "5", "--no-seed-replay"]
    assert main(argv) == 0
    # 2 labels: no training; 5: the 2 waiting + 3 new; 9: the 4 new ones
    assert trained_on == [5, 4]
    rows = read_rows(out / "results.csv")
    assert [r.budget_used for r in rows] == [0, 2, 5, 9]
    assert rows[1].value == rows[0].value  # the untrained round keeps the zero-shot model
    settings = json.loads((out / "settings.json").read_text())
    assert settings["config"]["round"]["training"]["min_train_labels"] == 5


def test_margin_calibration_without_a_held_out_set_stops_before_any_work(
    data, tiny_model_dir, tmp_path, capsys
):
    out = tmp_path / "calibrated"
    argv = _base_argv(data, tiny_model_dir, out) + ["--margin-calibration", "vector"]
    assert main(argv + ["--budgets", "2", "--seeds", "0", "--strategies", "random"]) == 2
    assert "--margin-calibration vector fits on a labeled held-out set" in capsys.readouterr().err
    assert not out.exists()


def test_margin_calibration_runs_with_a_held_out_set_and_is_recorded(
    data, tiny_model_dir, tmp_path
):
    out = tmp_path / "calibrated"
    argv = _base_argv(data, tiny_model_dir, out) + ["--margin-calibration", "vector"]
    argv += ["--heldout", *map(str, data["source"]), "--heldout-size", "3"]
    assert main(argv + ["--budgets", "2,4", "--seeds", "0", "--strategies", "knn-uncertainty"]) == 0
    settings = json.loads((out / "settings.json").read_text())
    assert settings["config"]["round"]["margin_calibration"] == "vector"
    assert [row.budget_used for row in read_rows(out / "results.csv")] == [0, 2, 4]


def test_without_a_seed_set_the_cold_start_picks_first(data, tiny_model_dir, tmp_path, monkeypatch):
    """--cold-start typical-knn: the first round's batch of a margin-reading strategy comes
    from typical-knn (as in the app); later rounds use the strategy itself."""
    import demux_core.rounds.rescore as rescore

    chosen: list[str] = []
    real = rescore.select_with_details

    def recording(strategy, **kwargs):
        chosen.append(strategy)
        return real(strategy, **kwargs)

    monkeypatch.setattr(rescore, "select_with_details", recording)
    argv = _base_argv(data, tiny_model_dir, tmp_path / "cold")
    seed_at = argv.index("--seed-set")
    del argv[seed_at : seed_at + 2]
    argv += ["--budgets", "2,4", "--seeds", "0", "--strategies", "uncertainty"]
    argv += ["--cold-start", "typical-knn", "--cold-start-labels", "2"]
    assert main(argv) == 0
    # chosen[0]: the shared zero-shot round's own selection, before any run
    assert chosen[1] == "typical-knn" and set(chosen[2:]) == {"uncertainty"}
    rows = read_rows(tmp_path / "cold" / "results.csv")
    assert [r.budget_used for r in rows] == [0, 2, 4]
