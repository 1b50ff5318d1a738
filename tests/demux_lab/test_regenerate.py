"""A run can be regenerated from what it recorded: settings.json says what was used, and
re-running its recorded command reproduces the run's picks."""

from __future__ import annotations

import json

from demux_lab.cli import main
from demux_lab.reporting import read_rows
from experiments.regenerate import recorded_command
from tests.demux_lab.test_simulation import _base_argv
from tests.demux_lab.test_simulation import data as data  # the fixture
from tests.fixtures.tiny_model import tiny_model_dir as tiny_model_dir  # the fixture


def test_settings_record_what_was_used_and_a_rerun_reproduces_the_picks(
    data, tiny_model_dir, tmp_path
):
    first = tmp_path / "first"
    argv = _base_argv(data, tiny_model_dir, first)
    argv += ["--budgets", "2,5", "--seeds", "1,2", "--strategies", "knn-uncertainty,random"]
    argv += ["--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    settings = json.loads((first / "settings.json").read_text(encoding="utf-8"))
    used = settings["config"]["used"]
    assert used["labels_after_round"] == [2, 5] and used["new_labels_per_round"] == [2, 3]
    assert used["rounds"] == 2 and used["warm_start_seed"] == 0
    assert {(run["seed"], run["training_seed"]) for run in used["runs"]} == {(1, 1), (2, 2)}

    command = recorded_command(first / "settings.json", runs=tmp_path / "again")
    assert main(command[3:]) == 0  # what follows "python -m demux_lab"
    again = tmp_path / "again" / "first"
    picks = [(r.strategy, r.seed, r.round, r.budget_used, r.picked, r.picked_labels)
             for r in read_rows(first / "results.csv")]  # fmt: skip
    assert picks == [(r.strategy, r.seed, r.round, r.budget_used, r.picked, r.picked_labels)
                     for r in read_rows(again / "results.csv")]  # fmt: skip
    assert sum(r.budget_used for r in read_rows(again / "results.csv")) > 0
