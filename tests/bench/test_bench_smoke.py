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
