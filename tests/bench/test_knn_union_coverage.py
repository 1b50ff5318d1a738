"""bench/knn_union_coverage.py's table on a pool whose neighbourhoods are known."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from demux_core.scoring import PoolScores

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "knn_union_coverage.py"


def _bench():
    spec = importlib.util.spec_from_file_location("knn_union_coverage", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scores(embeddings, uncertainty):
    n = len(embeddings)
    return PoolScores(
        np.asarray(embeddings, np.float32), np.asarray(uncertainty, np.float32), [None] * n, "v"
    )


def test_union_share_and_overlap_with_uncertainty():
    bench = _bench()
    # 20 source points on a line, the most uncertain in the middle (9 and 10); the two
    # targets sit on points 0 and 19
    source = _scores([[float(i), 0.0] for i in range(20)], np.abs(np.arange(20) - 9.5))
    target = _scores([[0.0, 0.0], [19.0, 0.0]], [0.0, 0.0])
    rows = {
        (r["budget"], r["k"]): r for r in bench.coverage_rows(source, target, (2,), ks=(1, 2, 10))
    }
    assert rows[(2, 1)]["k_used"] == 2  # a 2-point union is not more than the budget: k doubles
    assert rows[(2, 2)]["union"] == 4 and rows[(2, 2)]["union_share"] == 0.2
    assert rows[(2, 2)]["same_as_uncertainty"] == 0.0  # picks 1 and 18; uncertainty 9 and 10
    assert rows[(2, 10)]["union_share"] == 1.0 and rows[(2, 10)]["same_as_uncertainty"] == 1.0
    table = bench.markdown(list(rows.values()), "line")
    assert "| 2 | 2 | 2 | 4 | 20 % | 0 % |" in table
