"""Where each simulated run would have stopped, from its rows' target kappas."""

from __future__ import annotations

from demux_lab.simulation.result_rows import ResultRow
from demux_lab.stopping import stop_points, stopping_markdown


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
