"""Smoke tests of the other bench scripts: each runs end to end on a tiny input.

Like tests/bench/test_bench_smoke.py, they check that a script runs and reports what it
should (a table's header and rows, a value that follows from the input), never how fast.
The scripts that read a finished ``simulate`` run get one made here by the simulation CLI
on a tiny pool with the tiny model (a fine-tune run with a held-out set, a frozen-head run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from demux_core.data.examples import SequenceExample
from demux_core.data.readers import write_csv
from tests.bench.scripts import load_script
from tests.fixtures.tiny_model import TINY_SENTENCES
from tests.fixtures.tiny_model import tiny_model_dir as tiny_model_dir  # the fixture

CLASSES = ("place", "sport", "science")


def _table_rows(report: str, first_cell: str) -> list[list[str]]:
    """The cells of the markdown rows of ``report`` whose first cell is ``first_cell``."""
    rows = [line.strip().strip("|").split("|") for line in report.splitlines()]
    rows = [[cell.strip() for cell in row] for row in rows if len(row) > 1]
    return [row for row in rows if row[0] == first_cell]


# -- synthetic or shared-data scripts ----------------------------------------------------


def test_bench_growth_tables_selection_sizes_and_extrapolates_scoring(capsys, tmp_path):
    bench = load_script("bench_growth")
    plot = tmp_path / "growth.png"
    argv = ["--sizes", "200", "400", "--n-target", "10", "--dim", "8", "--repeats", "1",
            "--official-max", "200", "--scoring-sizes", "--scoring-point", "10:1",
            "--scoring-point", "100:5", "--plot", str(plot)]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "| n | method | seconds |" in report
    for n in ("200", "400"):
        for method in ("ours knn-uncertainty", "one faiss k-NN pass", "ours average-dist"):
            assert f"| {n} | {method} |" in report
    assert "| 200 | official knn-uncertainty |" in report
    assert "| 400 | official knn-uncertainty |" not in report  # above --official-max
    # 10 rows in 1 s, 100 in 5 s: slope log(5)/log(10), so 100k rows take 5 * 5**3 s
    assert "| 100,000 | scoring (tuned, EXTRAPOLATED) | 625.000 |" in report
    assert plot.stat().st_size > 1000


@pytest.mark.shared_data
def test_bench_growth_measures_scoring_with_a_tiny_model(shared_data, tiny_model_dir, capsys,
                                                         monkeypatch):  # fmt: skip
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_growth")
    argv = ["--sizes", "100", "--n-target", "5", "--dim", "8", "--repeats", "1", "--threads",
            "1", "--scoring-sizes", "4", "8", "--model", str(tiny_model_dir)]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "scoring n=8: " in report
    assert "| 4 | scoring (tuned) |" in report and "| 8 | scoring (tuned) |" in report
    assert "| 100,000 | scoring (tuned, EXTRAPOLATED) |" in report


@pytest.mark.slow
def test_bench_omp_clash_times_every_wait_policy_in_fresh_processes(capsys):
    bench = load_script("bench_omp_clash")
    assert bench.main(["--repeats", "1", "--iterations", "1"]) == 0
    report = capsys.readouterr().out
    assert "| OMP_WAIT_POLICY | torch s | faiss s | total s | vs PASSIVE |" in report
    rows = {policy: _table_rows(report, policy) for policy in bench.POLICIES}
    assert all(len(found) == 1 and len(found[0]) == 5 for found in rows.values())
    assert rows["PASSIVE"][0][-1] == "1.00x"  # PASSIVE against itself


def test_bench_scale_streams_selection_over_a_tiny_synthetic_pool(capsys):
    bench = load_script("bench_scale")
    argv = ["selection", "--n-source", "2000", "--n-target", "10", "--dim", "8", "--budget",
            "5", "--shard-rows", "500", "--chunk-rows", "256"]  # fmt: skip
    assert bench.main(argv) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "uptime_before" in records[0]
    measured = {record["strategy"]: record for record in records[1:]}
    assert set(measured) == {"knn-uncertainty", "average-dist"}
    assert all(r["n_source"] == 2000 and r["budget"] == 5 for r in measured.values())
    assert measured["knn-uncertainty"]["k_used"] >= 1


@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_scale_scores_locally_and_on_ray(shared_data, tiny_model_dir, capsys, monkeypatch):
    ray = pytest.importorskip(
        "ray", reason="ray is not installed: pip install -r requirements-scale.txt"
    )
    pytest.importorskip(
        "ray.data", reason="ray[data] extra missing: pip install -r requirements-scale.txt"
    )
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_scale")
    started = not ray.is_initialized()
    try:
        argv = ["scoring", "--n-pool", "12", "--num-actors", "1", "--model", str(tiny_model_dir)]
        assert bench.main(argv) == 0
    finally:
        if started:
            ray.shutdown()
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert records[0]["n_pool"] == 12
    engines = [(r["engine"], r.get("run")) for r in records[1:]]
    assert engines == [("local", None), ("ray", 0), ("ray", 1)]
    assert all(r["sentences_per_s"] > 0 for r in records[1:])


@pytest.mark.shared_data
def test_bench_scoring_compares_scoring_configs_on_both_tasks(shared_data, tiny_model_dir, capsys,
                                                               monkeypatch):  # fmt: skip
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_scoring")
    argv = ["--per-language", "4", "--repeats", "1", "--threads", "1", "--budget", "3",
            "--k", "2", "--matmul", "64", "--model", str(tiny_model_dir)]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "pools: SIB-200 16 sentences, MasakhaNER 16 sentences" in report
    assert "| config | SIB-200 sent/s | MasakhaNER sent/s | all sent/s |" in report
    assert _table_rows(report, "naive")[0][4] == "1.00x"  # naive against itself
    for config in ("sorted", "sorted+int8", "tuned (sorted+int8, 1 threads)"):
        assert len(_table_rows(report, config)) == 1
    assert "SIB-200: spearman_margins " in report and "MasakhaNER: spearman_margins " in report


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_ui_latency_times_labels_while_idle_and_during_a_round(
    shared_data, tiny_model_dir, capsys, monkeypatch
):
    from tests.e2e.streamlit_server import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    monkeypatch.setenv("DEMUX_PROJECTS", "unset")  # the bench sets it: restored afterwards
    bench = load_script("bench_ui_latency")
    argv = ["--samples", "2", "--warmup", "0", "--busy-samples", "3", "--labels", "2",
            "--per-language", "6", "--model", str(tiny_model_dir)]  # fmt: skip
    status = bench.main(argv)
    report = capsys.readouterr().out
    idle = [line for line in report.splitlines() if line.startswith("idle  n=  2  p50=")]
    assert len(idle) == 1 and "busy  n=" in report and "round 2 ran " in report
    if status == 2:  # the round can end before 3 busy samples: said, not compared
        assert "too few busy samples" in report
    else:  # 0 or 1: whether busy/idle is within --max-ratio, a speed we do not test
        assert status in (0, 1) and "busy  n=  3  p50=" in report
        assert "busy/idle: p50 x" in report and "busy samples per round stage: " in report


# -- scripts that read a finished simulate run -------------------------------------------


def _write(folder: Path, name: str, language: str, n: int, offset: int = 0) -> Path:
    path = folder / language / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        SequenceExample(
            f"{i}", language, TINY_SENTENCES[(i + offset) % len(TINY_SENTENCES)],
            label=CLASSES[i % 3],
        )
        for i in range(n)
    ]  # fmt: skip
    write_csv(rows, path)
    return path


@pytest.fixture(scope="module")
def simulate_data(tmp_path_factory) -> dict:
    """Tiny sentence-task pools: 2 x 12 source, 6 target, 9 test, 9 seed sentences."""
    folder = tmp_path_factory.mktemp("bench-pools")
    return {
        "source": [_write(folder, "train", lang, 12, i) for i, lang in enumerate(("hau", "yor"))],
        "pool": _write(folder, "dev", "wol", 6),
        "test": _write(folder, "test", "wol", 9, 3),
        "seed": _write(folder, "train", "eng", 9, 5),
    }


def _simulate(data: dict, model: Path, out: Path, cache: Path, *extra: str) -> Path:
    from demux_lab.cli import main

    argv = ["simulate", "--task", "sequence", "--model", str(model)]
    argv += ["--source", *map(str, data["source"]), "--target-pool", str(data["pool"])]
    argv += ["--target-test", str(data["test"]), "--seed-set", str(data["seed"])]
    argv += ["--warm-epochs", "1", "--epochs", "1", "--seeds", "0", "--out", str(out)]
    argv += ["--cache-dir", str(cache), *extra]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def fine_tune_run(simulate_data, tiny_model_dir, tmp_path_factory) -> tuple[Path, Path]:
    """(run folder, cache folder) of a fine-tune run with a held-out set, budgets 2 and 4."""
    folder = tmp_path_factory.mktemp("fine-tune-run")
    run = _simulate(
        simulate_data, tiny_model_dir, folder / "run", folder / "cache",
        "--budgets", "2,4", "--strategies", "knn-uncertainty", "--margin-calibration", "vector",
        "--heldout", *map(str, simulate_data["source"]), "--heldout-size", "3",
    )  # fmt: skip
    return run, folder / "cache"


@pytest.fixture(scope="module")
def frozen_head_run(simulate_data, tiny_model_dir, tmp_path_factory) -> tuple[Path, Path]:
    """(run folder, cache folder) of a frozen-head run, budgets 2 and 5."""
    folder = tmp_path_factory.mktemp("frozen-head-run")
    run = _simulate(
        simulate_data, tiny_model_dir, folder / "run", folder / "cache",
        "--recipe", "frozen-head", "--budgets", "2,5", "--strategies", "knn-uncertainty",
    )  # fmt: skip
    return run, folder / "cache"


def test_knn_union_coverage_reports_every_starting_k_and_budget(fine_tune_run, tmp_path, capsys):
    run, cache = fine_tune_run
    bench = load_script("knn_union_coverage")
    out = tmp_path / "union.md"
    assert bench.main([str(run), "--cache-dir", str(cache), "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert report in capsys.readouterr().out
    assert report.startswith("**run (24 source, 6 target sentences)**")
    assert "| budget | starting k | final k | union (source sentences) |" in report
    for budget in ("2", "4"):
        rows = _table_rows(report, budget)
        assert [row[1] for row in rows] == [str(k) for k in bench.STARTING_KS]
        assert all(int(row[2]) >= int(row[1]) for row in rows)  # k only doubles
        unions = {int(row[1]): int(row[3]) for row in rows}
        assert all(row[4] == f"{100 * int(row[3]) / 24:.0f} %" for row in rows)
        # at most final k neighbours per target sentence (6 of them); from k=16 on, each
        # target sentence alone brings 16 different source sentences
        assert unions[1] <= 6 * int(rows[0][2]) and 16 <= unions[16] <= 24


def test_calibration_picks_fits_on_the_held_out_set_and_compares_picks(fine_tune_run, tmp_path,
                                                                      capsys):  # fmt: skip
    run, cache = fine_tune_run
    bench = load_script("calibration_picks")
    out = tmp_path / "calibration.md"
    assert bench.main([str(run), "--cache-dir", str(cache), "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    assert report in capsys.readouterr().out
    assert report.startswith("**run (24 source, 6 held-out)**")
    assert "Held-out NLL " in report and "(in-sample, 6 rows)" in report
    rows = {(row[0], row[1]): row[2] for row in _table_rows(report, "uncertainty")}
    rows |= {(row[0], row[1]): row[2] for row in _table_rows(report, "knn-uncertainty")}
    assert set(rows) == {(s, b) for s in ("uncertainty", "knn-uncertainty") for b in ("2", "4")}
    assert all(value.endswith(" %") and 0 <= int(value[:-2]) <= 100 for value in rows.values())


def test_first_round_trains_each_variant_and_compares_with_zero_shot(fine_tune_run, tmp_path,
                                                                     capsys):  # fmt: skip
    run, cache = fine_tune_run
    bench = load_script("first_round")
    out = tmp_path / "first-round.md"
    argv = [str(run), "--cache-dir", str(cache), "--seeds", "0", "--strategies", "random",
            "--variants", "default,replay-only", "--budget", "2", "--out", str(out)]  # fmt: skip
    assert bench.main(argv) == 0
    report = out.read_text(encoding="utf-8")
    assert report in capsys.readouterr().out
    assert "| target | strategy | variant | steps | seed mean |" in report
    rows = _table_rows(report, "wol")
    assert rows[0][1] == "(zero-shot)"
    assert [(row[1], row[2]) for row in rows[1:]] == [
        ("random", bench.VARIANTS["default"].name),
        ("random", bench.VARIANTS["replay-only"].name),
    ]
    assert all(row[-1] in ("0/1", "1/1") for row in rows[1:])
    (result,) = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert result["target"] == "wol" and len(result["gold"]) == 9
    assert [r["variant"] for r in result["runs"]] == ["default", "replay-only"]


def test_selection_levers_compares_every_variant_with_the_default(frozen_head_run, tmp_path,
                                                                  capsys):  # fmt: skip
    run, cache = frozen_head_run
    bench = load_script("selection_levers")
    out = tmp_path / "levers.md"
    argv = [str(run), "--cache-dir", str(cache), "--out", str(out), "--budgets", "2,5"]
    assert bench.main(argv) == 0
    report = out.read_text(encoding="utf-8")
    assert report in capsys.readouterr().out
    assert "| variant | budget | same as default | label entropy |" in report
    # a sentence task: one margin per sentence, so no mean-margin variants
    names = [v.name for v in bench.VARIANTS if v.aggregation == "min"]
    default = _table_rows(report, names[0])
    assert [(row[1], row[2]) for row in default] == [("2", "100 %"), ("5", "100 %")]
    for name in names:
        assert [row[1] for row in _table_rows(report, name)] == ["2", "5"]
    assert not _table_rows(report, "knn-uncertainty, mean margin")
    rows = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert len(rows) == 2 * len(names)
    assert all(sum(row["languages"].values()) == row["budget"] for row in rows)
    assert all(set(row["languages"]) <= {"hau", "yor"} for row in rows)
