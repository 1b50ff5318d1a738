"""Where each simulated run would have stopped, from its rows' target kappas."""

from __future__ import annotations

from demux_lab.simulation.result_rows import ResultRow
from demux_lab.stopping import (
    budget_rule,
    kappa_rule,
    margin_rule,
    rules_markdown,
    stop_points,
    stopping_markdown,
    summarise_rule,
)


def _row(strategy, seed, number, used, value, kappa):
    return ResultRow(strategy, seed, number, used, "accuracy", value, 1.0, {}, {},
                     target_kappa=kappa)  # fmt: skip


ROWS = [
    _row("knn-uncertainty", 0, 0, 0, 0.50, float("nan")),
    _row("knn-uncertainty", 0, 1, 10, 0.60, 0.90),
    _row("knn-uncertainty", 0, 2, 20, 0.64, 0.995),
    _row("knn-uncertainty", 0, 3, 30, 0.65, 0.998),
    _row("knn-uncertainty", 0, 4, 40, 0.66, 0.999),
    _row("random", 0, 0, 0, 0.50, float("nan")),
    _row("random", 0, 1, 10, 0.55, 0.80),
    _row("random", 0, 2, 20, 0.58, 0.85),
]


def test_each_run_stops_where_its_window_average_reaches_the_threshold():
    knn, random = stop_points(ROWS, threshold=0.99, window=2)
    assert (knn.round, knn.labels_at_stop, knn.value_at_stop) == (3, 30, 0.65)
    assert (knn.last_labels, knn.last_value) == (40, 0.66)
    assert random.round is None


def test_the_markdown_reports_the_saving_and_the_cost():
    table = stopping_markdown(ROWS, threshold=0.99, window=2)
    assert "| knn-uncertainty | 0 | 3 | 30 | 65.0 | 40 | 66.0 | 10 |" in table
    assert "| random | 0 | never | | | 20 | 58.0 | 0 |" in table


def _margin_row(number, used, value, margin, kappa=float("nan")):
    return ResultRow("knn-uncertainty", 0, number, used, "accuracy", value, 1.0, {}, {},
                     target_kappa=kappa, target_mean_margin=margin)  # fmt: skip


def test_the_margin_rule_fires_when_the_mean_margin_stops_moving():
    run = [_margin_row(0, 0, 0.5, 1.0), _margin_row(1, 10, 0.6, 2.0),
           _margin_row(2, 20, 0.62, 2.08), _margin_row(3, 30, 0.63, 2.1),
           _margin_row(4, 40, 0.64, 2.11)]  # fmt: skip
    assert margin_rule(0.05, 2)(run) == 3  # +100 %, then +4 % and +1 %
    assert margin_rule(0.05, 3)(run) == 4
    assert margin_rule(0.001, 2)(run) is None
    assert budget_rule(25)(run) == 3 and budget_rule(100)(run) is None


def test_rules_are_summarised_by_labels_saved_and_score_lost():
    first = [_margin_row(0, 0, 0.5, 1.0, ), _margin_row(1, 10, 0.6, 2.0, 0.5),
             _margin_row(2, 20, 0.7, 2.0, 0.99), _margin_row(3, 40, 0.8, 2.0, 0.99)]  # fmt: skip
    second = [_margin_row(0, 0, 0.5, 1.0), _margin_row(1, 10, 0.6, 2.0, 0.2),
              _margin_row(2, 20, 0.65, 3.0, 0.3), _margin_row(3, 40, 0.7, 4.0, 0.4)]  # fmt: skip
    summary = summarise_rule("k", [first, second], kappa_rule(0.99, 1))
    assert (summary.fired, summary.runs) == (1, 2)
    assert summary.saved == 0.25  # first saves half of its 40 labels, second none
    assert round(summary.change, 6) == -10.0 and round(summary.worst, 6) == -10.0
    table = rules_markdown([first, second], {"k": kappa_rule(0.99, 1)})
    assert "| k | 1 of 2 | 25 % | -10.0 (-10.0) |" in table


def test_the_stopping_command_reads_simulate_folders(tmp_path, capsys):
    from demux_lab.cli import main
    from demux_lab.reporting import write_rows

    run = tmp_path / "run"
    run.mkdir()
    write_rows([r for r in ROWS], run / "results.csv")
    assert main(["stopping", str(run), "--strategies", "knn-uncertainty",
                 "--out", str(tmp_path / "stop.md")]) == 0  # fmt: skip
    text = (tmp_path / "stop.md").read_text()
    assert text.startswith("## knn-uncertainty (1 runs") and "random" not in text
    assert "fixed budget of 50 labels | 0 of 1" in text
    assert main(["stopping", str(tmp_path / "nothing")]) == 2
