import csv
import json

import pytest

from demux_lab.cli import main
from demux_lab.study.report import study_markdown
from demux_lab.study.study import (
    forgetting,
    gain_table,
    read_runs,
    strategy_table,
    win_cases,
)

GOLD = ["a", "b"] * 10  # 20 test sentences


def _predictions(correct: int) -> list[str]:
    """The first ``correct`` predictions right, the rest wrong."""
    flip = {"a": "b", "b": "a"}
    return [g if i < correct else flip[g] for i, g in enumerate(GOLD)]


def _write_run(folder, correct_by_key, gold=GOLD):
    folder.mkdir(parents=True)
    config = {"task": "sequence", "round": {"tag_scheme": "bio"}}
    (folder / "settings.json").write_text(json.dumps({"config": config}))
    lines = [json.dumps({"gold": gold})]
    for (strategy, seed, budget), correct in correct_by_key.items():
        record = {"strategy": strategy, "seed": seed, "round": 0, "budget_used": budget}
        lines.append(json.dumps({**record, "predictions": _predictions(correct)}))
    (folder / "predictions.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _keys(seed):
    return {
        ("knn-uncertainty", seed, 0): 10,
        ("knn-uncertainty", seed, 10): 16 + seed,
        ("random", seed, 0): 10,
        ("random", seed, 10): 8,
        ("egalitarian", seed, 0): 10,
        ("egalitarian", seed, 10): 12 - seed,
    }


@pytest.fixture
def runs(tmp_path):
    folders = [_write_run(tmp_path / f"sib-amh-s{s}", _keys(s)) for s in (0, 1)]
    folders.append(_write_run(tmp_path / "sib-yor", _keys(0)))
    return read_runs(folders)


def test_seed_folders_merge_into_one_target(runs):
    assert [run.name for run in runs] == ["sib-amh", "sib-yor"]
    assert runs[0].seeds("knn-uncertainty", 10) == [0, 1]


def test_seed_means_gains_and_intervals(runs):
    table = strategy_table(runs[0])
    knn = table["knn-uncertainty"][10]
    assert knn.mean == pytest.approx(100 * (16 + 17) / 2 / 20)  # 82.5
    assert knn.low <= knn.mean <= knn.high and knn.seeds == 2
    gains = gain_table(runs[0], "knn-uncertainty", ("random", "egalitarian"))
    assert gains["random"][10].mean == pytest.approx(82.5 - 40.0)
    assert gains["random"][10].low > 0  # paired: the whole interval is a gain
    assert 0 not in gains["random"]  # no gain is reported for the zero-shot model


def test_win_cases_and_forgetting(runs):
    assert win_cases(runs[0], "knn-uncertainty", ("random", "egalitarian")) == [True, True]
    drops = forgetting(strategy_table(runs[0]))
    assert ("random", 10) in {(name, budget) for name, budget, _ in drops}
    assert all(name != "knn-uncertainty" for name, _, _ in drops)
    text = study_markdown(runs, "knn-uncertainty", ("random", "egalitarian"))
    assert "Overall: 3/3 cases (100 %)" in text and "| gain vs random |" in text
    assert "Rounds that left every test prediction unchanged: 0/6" in text


def test_runs_with_different_test_sets_are_not_merged(tmp_path):
    first = _write_run(tmp_path / "x-s0", _keys(0))
    second = _write_run(tmp_path / "x-s1", _keys(1), gold=["b", "a"] * 10)
    with pytest.raises(ValueError, match="test set differs"):
        read_runs([first, second])


def test_study_command_writes_tables_and_curves(tmp_path, capsys):
    folders = [str(_write_run(tmp_path / f"r-s{s}", _keys(s))) for s in (0, 1)]
    assert main(["study", *folders, "--out", str(tmp_path / "out")]) == 0
    assert (
        "knn-uncertainty beats random and egalitarian"
        in (tmp_path / "out" / "study.md").read_text()
    )
    assert (tmp_path / "out" / "curves.png").stat().st_size > 1000
    assert main(["study", *folders, "--out", str(tmp_path / "o10"), "--gain-up-to", "10"]) == 0
    text = (tmp_path / "o10" / "study.md").read_text()
    # knn 16.5/20 right against random's 8/20 at 10 labels: +42.5 points
    assert "| knn-uncertainty minus | budgets up to 10 | all budgets |" in text
    assert "| random | +42.5 | +42.5 |" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["study", str(empty), "--out", str(tmp_path / "o2")]) == 2
    assert "no predictions.jsonl" in capsys.readouterr().err


def test_unchanged_rounds_count_identical_predictions(tmp_path):
    from demux_lab.study.study import unchanged_rounds

    keys = {("random", 0, 0): 10, ("random", 0, 10): 10, ("random", 0, 50): 12}
    (run,) = read_runs([_write_run(tmp_path / "u", keys)])
    assert unchanged_rounds(run) == (1, 2)


def test_label_shares_sum_over_merged_seed_folders(tmp_path):
    from demux_lab.study.report import label_shares_text

    first = _write_run(tmp_path / "t-s0", _keys(0))
    second = _write_run(tmp_path / "t-s1", _keys(1))
    for folder, seed, counts in ((first, 0, {"a": 3, "b": 1}), (second, 1, {"a": 1, "b": 3})):
        with open(folder / "results.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["strategy", "seed", "picked_per_label"])
            writer.writerow(["random", seed, json.dumps(counts)])
            writer.writerow(["knn-uncertainty", seed, json.dumps({"a": 4})])
    (run,) = read_runs([first, second])
    assert run.picked_labels == {"random": {"a": 4, "b": 4}, "knn-uncertainty": {"a": 8}}
    text = label_shares_text(run)
    assert "knn-uncertainty: a 100 %" in text and "random: a 50 %, b 50 %" in text
    assert "Gold labels of the picks" in study_markdown([run], "knn-uncertainty", ("random",))


def test_runs_without_label_columns_have_no_label_line(runs):
    assert runs[0].picked_labels == {} and "Gold labels" not in study_markdown(
        runs, "knn-uncertainty", ("random", "egalitarian")
    )


def test_variant_runs_sit_beside_the_grid_under_their_own_name(tmp_path, capsys):
    grid = [_write_run(tmp_path / "grid" / f"sib-amh-s{s}", _keys(s)) for s in (0, 1)]
    lever = {("knn-uncertainty", 0, 0): 10, ("knn-uncertainty", 0, 10): 6}
    variant = _write_run(tmp_path / "k8" / "sib-amh-s0", lever)
    (run,) = read_runs(grid, [variant], "k=8")
    assert "knn-uncertainty (k=8)" in run.strategies
    assert run.seeds("knn-uncertainty", 10) == [0, 1]  # the grid's own picks are untouched
    gains = gain_table(run, "knn-uncertainty (k=8)", ("knn-uncertainty",))
    assert gains["knn-uncertainty"][10].mean < 0  # 6 right against 16 on the shared seed
    args = [str(f) for f in grid] + ["--out", str(tmp_path / "out"), "--variant", "k=8"]
    flags = ["--strategy", "knn-uncertainty (k=8)", "--baselines", "random,knn-uncertainty"]
    assert main(["study", *args, *flags, "--variant-runs", str(variant)]) == 0
    assert (
        "knn-uncertainty (k=8) beats random and knn-uncertainty in 0/1" in capsys.readouterr().out
    )
    orphan = _write_run(tmp_path / "k8" / "sib-yor-s0", lever)
    with pytest.raises(ValueError, match="no run of sib-yor"):
        read_runs(grid, [orphan], "k=8")
    assert main(["study", *args, "--variant-runs", str(orphan)]) == 2
    assert "no run of sib-yor to compare" in capsys.readouterr().err
