"""Smoke tests: bench scripts run end to end on tiny inputs, so none can rot unnoticed.

They check that each script runs and prints its report, not how fast anything is (speed
lives in docs/benchmarks.md, measured by the scripts themselves).
"""

from __future__ import annotations

import pytest

from tests.bench.scripts import load_script
from tests.fixtures.tiny_model import tiny_model_dir as tiny_model_dir  # the fixture


@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_round_runs_the_apps_round_on_a_tiny_pool(shared_data, tiny_model_dir, capsys,
                                                         monkeypatch):  # fmt: skip
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_round")
    argv = ["--per-language", "3", "--labels", "4", "--budget", "3", "--threads", "1",
            "--umap-epochs", "5", "--map-points", "60", "--model", str(tiny_model_dir)]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "| **whole round** |" in report and "picked 3;" in report


def test_bench_selection_compares_old_and_new_selection_on_a_tiny_pool(capsys):
    bench = load_script("bench_selection")
    argv = ["--n-source", "300", "--n-target", "20", "--dim", "8", "--budget", "10",
            "--repeats", "1", "--threads", "1"]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "identical selections: knn-uncertainty True" in report


@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_indexed_round_compares_old_and_new_rounds_on_a_tiny_pool(shared_data, tiny_model_dir,
                                                                        capsys, monkeypatch):  # fmt: skip
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_indexed_round")
    argv = ["--one", "120", "--old", "--labels", "4", "--budget", "3", "--target", "12",
            "--test", "6", "--threads", "1", "--model", str(tiny_model_dir)]  # fmt: skip
    assert bench.main(argv) == 0
    line = [row for row in capsys.readouterr().out.splitlines() if row.startswith("RESULT ")][0]
    import json

    result = json.loads(line.removeprefix("RESULT "))
    assert result["same_picks"] is True and len(result["new_picks"]) == 3
    assert result["new"]["scored"] < result["old"]["scored"] == 120
    report = bench.table([result])
    assert "| 120 | old |" in report and "| 120 | new |" in report


@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_precision_reports_speed_and_pick_agreement(shared_data, tiny_model_dir, capsys,
                                                          monkeypatch):  # fmt: skip
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_precision")
    argv = ["--per-language", "4", "--target", "8", "--budget", "3", "--warm-epochs", "1",
            "--repeats", "1", "--threads", "1", "--matmul", "64", "--model", str(tiny_model_dir)]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "precision 'auto' chooses: " in report
    assert "| sib200 | " in report and "| masakhaner2 | " in report


def test_bench_index_search_reports_exact_and_ivf_recall(capsys):
    bench = load_script("bench_index_search")
    argv = ["--sizes", "3000", "--dim", "8", "--queries", "20", "--width", "8", "--threads", "1"]
    assert bench.main(argv) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 3,000 |")]
    assert len(rows) == 1 and float(rows[0].split("|")[-2]) >= 0.98


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_demo_round_times_the_wait_between_rounds_in_the_browser(shared_data, tiny_model_dir, capsys,
                                                                       monkeypatch, tmp_path):  # fmt: skip
    from tests.e2e.streamlit_server import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DEMUX_PROJECTS", "unset")  # the bench sets it: restored afterwards
    bench = load_script("bench_demo_round")
    argv = ["--modes", "full,indexed", "--per-language", "8", "--model", str(tiny_model_dir)]
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "| full | 40 source" in report and "| indexed | 40 source" in report


@pytest.mark.shared_data
@pytest.mark.slow
def test_bench_frozen_layers_times_training_by_frozen_layers(
    shared_data, tiny_model_dir, capsys, monkeypatch
):
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_frozen_layers")
    argv = [
        "--frozen",
        "0,1",
        "--labels",
        "4",
        "--repeats",
        "1",
        "--threads",
        "1",
        "--model",
        str(tiny_model_dir),
    ]
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    assert "| 0 | " in report and "| 1 | " in report and "1.00x" in report


@pytest.mark.shared_data
def test_bench_lower_cache_compares_rounds_with_and_without_the_cache(
    shared_data, tiny_model_dir, capsys, monkeypatch
):
    monkeypatch.setenv("DEMUX_DATA", str(shared_data))
    bench = load_script("bench_lower_cache")
    argv = ["--per-language", "6", "--test-size", "6", "--budget", "3", "--rounds", "2",
            "--frozen-layers", "1", "--repeats", "1", "--threads", "1", "--model", str(tiny_model_dir)]  # fmt: skip
    assert bench.main(argv) == 0
    report = capsys.readouterr().out
    rows = [line for line in report.splitlines() if line.startswith("| 2 | cache |")]
    assert len(rows) == 1
    reused, computed = (int(x) for x in rows[0].split("|")[-2].split("/"))
    assert reused > 0 and computed < reused  # round 2 reads what round 1 kept on disk
    import re

    shared = re.search(r"picks shared by the two runs: (\d+) of 6", report)
    assert shared and int(shared.group(1)) >= 5  # equal up to float rounding in the margins
    assert "| score, top layers from the kept states | " in report
    assert "| train, bottom from the kept states | " in report
