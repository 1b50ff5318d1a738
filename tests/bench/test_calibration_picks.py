"""bench/calibration_picks.py's overlap table on margins whose order is known."""

from __future__ import annotations

import numpy as np

from tests.bench.scripts import load_script, pool_scores


def _bench():
    return load_script("calibration_picks")


def test_shared_picks_follow_the_margin_order():
    bench = _bench()
    points = [[float(i), 0.0] for i in range(10)]
    raw = pool_scores(points, np.arange(10.0))  # 0, 1, 2... most uncertain first
    same_order = pool_scores(points, 2 * np.arange(10.0) + 1)  # a temperature: order kept
    reversed_order = pool_scores(points, -np.arange(10.0))
    target = pool_scores([[4.5, 0.0]], [0.0])
    kept = bench.shared_pick_rows(raw, same_order, target, (2, 4), k=20)
    assert [row["shared"] for row in kept] == [1.0, 1.0, 1.0, 1.0]
    moved = {
        (r["strategy"], r["budget"]): r["shared"]
        for r in bench.shared_pick_rows(raw, reversed_order, target, (2, 5), k=20)
    }
    assert moved[("uncertainty", 2)] == 0.0 and moved[("uncertainty", 5)] == 0.0
    assert moved[("knn-uncertainty", 2)] == 0.0


def test_facts_and_table():
    bench = _bench()
    assert np.isclose(bench.rank_correlation(np.arange(5.0), np.arange(5.0) ** 3), 1.0)
    assert np.isclose(bench.rank_correlation(np.arange(5.0), -np.arange(5.0)), -1.0)
    logits = np.array([[2.0, 0.0], [0.0, 2.0]])
    assert np.isclose(bench.held_out_nll(logits, np.array([0, 1])), np.log(1 + np.exp(-2.0)))
    facts = {
        "rows": 2, "nll_before": 0.5, "nll_after": 0.4, "scale_min": 0.8, "scale_max": 1.2,
        "bias_min": -0.1, "bias_max": 0.3, "spearman": 0.97,
    }  # fmt: skip
    rows = [{"strategy": "uncertainty", "budget": 10, "shared": 0.7}]
    table = bench.markdown(rows, "run", facts)
    assert "| uncertainty | 10 | 70 % |" in table
    assert (
        "NLL 0.500 -> 0.400" in table
        and "Spearman correlation of the source margins 0.970" in table
    )
