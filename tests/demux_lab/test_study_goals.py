import pytest

from demux_lab.study.goals import goals_markdown, mean_gains, progress_by_strategy
from demux_lab.study.study import Cell


def _cells(*means):
    """budget -> Cell for budgets 0, 10, 50, ... in order."""
    budgets = [0, 10, 50, 100][: len(means)]
    return {b: Cell(m, m - 1, m + 1, 3) for b, m in zip(budgets, means, strict=True)}


TABLES = [
    ("amh", {"knn": _cells(50, 54, 60), "random": _cells(50, 48, 55)}),
    ("yor", {"knn": _cells(40, 46, 45), "random": _cells(40, 42, 47)}),
]


def test_progress_counts_drops_against_the_budget_before():
    knn, rand = progress_by_strategy(TABLES)
    assert knn.strategy == "knn" and rand.strategy == "random"
    assert knn.drops == (("yor", 50, -1.0),)
    assert rand.drops == (("amh", 10, -2.0),)  # a drop below zero-shot counts too
    assert knn.compared == rand.compared == 4
    assert knn.change == {10: pytest.approx(5.0), 50: pytest.approx(7.5)}
    assert rand.change == {10: pytest.approx(0.0), 50: pytest.approx(6.0)}


def test_change_skips_a_target_without_zero_shot():
    tables = [*TABLES, ("quy", {"knn": {10: Cell(90, 89, 91, 1)}})]
    (knn, _) = progress_by_strategy(tables)
    assert knn.change[10] == pytest.approx(5.0) and knn.compared == 4


def test_mean_gains_at_small_budgets_and_overall():
    gains = [
        {"random": {10: Cell(2, 0, 4, 3), 50: Cell(4, 1, 6, 3), 100: Cell(-3, -5, -1, 3)}},
        {"random": {10: Cell(0, -1, 1, 3)}, "egalitarian": {100: Cell(1, 0, 2, 3)}},
    ]
    result = mean_gains(gains, up_to=50)
    assert result["random"] == (pytest.approx(2.0), pytest.approx(0.75))
    assert result["egalitarian"] == (None, pytest.approx(1.0))
    assert mean_gains(gains, up_to=10)["random"][0] == pytest.approx(1.0)


def test_goals_markdown_names_the_worst_drop_and_the_gains():
    gains = [{"random": {10: Cell(6, 3, 9, 3), 50: Cell(5, 2, 8, 3)}}]
    text = "\n".join(goals_markdown(TABLES, gains, "knn", up_to=50))
    assert "| knn | 1 of 4 (largest -1.0: yor, 50 labels) | +5.0 / +7.5 |" in text
    assert "| random | 1 of 4 (largest -2.0: amh, 10 labels) | +0.0 / +6.0 |" in text
    assert "| knn minus | budgets up to 50 | all budgets |" in text
    assert "| random | +5.5 | +5.5 |" in text
