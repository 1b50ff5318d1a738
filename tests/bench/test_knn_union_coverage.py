"""bench/knn_union_coverage.py's table on a pool whose neighbourhoods are known."""

from __future__ import annotations

import numpy as np

from tests.bench.scripts import load_script, pool_scores


def _bench():
    return load_script("knn_union_coverage")


def test_union_share_and_overlap_with_uncertainty():
    bench = _bench()
    # 20 source points on a line, the most uncertain in the middle (9 and 10); the two
    # targets sit on points 0 and 19
    source = pool_scores([[float(i), 0.0] for i in range(20)], np.abs(np.arange(20) - 9.5))
    target = pool_scores([[0.0, 0.0], [19.0, 0.0]], [0.0, 0.0])
    rows = {
        (r["budget"], r["k"]): r for r in bench.coverage_rows(source, target, (2,), ks=(1, 2, 10))
    }
    assert rows[(2, 1)]["k_used"] == 2  # a 2-point union is not more than the budget: k doubles
    assert rows[(2, 2)]["union"] == 4 and rows[(2, 2)]["union_share"] == 0.2
    assert rows[(2, 2)]["same_as_uncertainty"] == 0.0  # picks 1 and 18; uncertainty 9 and 10
    assert rows[(2, 10)]["union_share"] == 1.0 and rows[(2, 10)]["same_as_uncertainty"] == 1.0
    table = bench.markdown(list(rows.values()), "line")
    assert "| 2 | 2 | 2 | 4 | 20 % | 0 % |" in table
