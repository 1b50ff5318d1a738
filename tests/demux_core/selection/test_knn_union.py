"""The knn-uncertainty candidates: first search width and the doubling union."""

import numpy as np
import pytest

from demux_core.selection.inputs import validate_selection_inputs
from demux_core.selection.knn_union import knn_union, search_width


@pytest.mark.parametrize(
    ("k", "budget", "m", "n", "expected"),
    [
        (1, 10, 100, 5000, 16),  # the floor of 16 (8 * ceil(11 / 100) = 8)
        (1, 400, 9, 5000, 512),  # 8 * ceil(401 / 9) = 360 -> next power of two
        (3, 400, 9, 5000, 384),  # k * 2**i: 3 * 128
        (1, 400, 9, 100, 100),  # never past the pool
        (64, 1, 50, 5000, 64),  # already wide enough
    ],
)
def test_search_width(k, budget, m, n, expected):
    assert search_width(k, budget, m, n) == expected


def _inputs(source, target, budget, exclude=(), k=1):
    return validate_selection_inputs(
        "knn-uncertainty",
        ("knn-uncertainty",),
        {"knn-uncertainty"},
        source,
        target,
        np.zeros(len(source)),
        budget,
        exclude,
        None,
        k,
        0,
    )


def test_union_doubles_k_until_it_holds_more_than_the_budget():
    source = np.arange(10, dtype=np.float32).reshape(-1, 1)  # points 0..9 on a line
    target = np.array([[0.0], [9.0]], dtype=np.float32)
    union, k = knn_union(_inputs(source, target, budget=5))
    # k=1: {0, 9}; k=2: {0, 1, 8, 9}; k=4: {0..3, 6..9} = 8 > 5.
    assert k == 4
    assert np.flatnonzero(union).tolist() == [0, 1, 2, 3, 6, 7, 8, 9]


def test_union_leaves_out_excluded_points_and_widens_the_search():
    rng = np.random.default_rng(0)
    source = rng.normal(size=(3000, 4)).astype(np.float32)
    target = np.zeros((1, 4), dtype=np.float32)  # one neighbourhood: k must pass 16
    exclude = np.arange(0, 3000, 2)
    union, k = knn_union(_inputs(source, target, budget=40, exclude=exclude))
    assert k == 128 and int(union.sum()) > 40
    assert not union[exclude].any()
    distances = np.linalg.norm(source, axis=1)
    nearest = np.argsort(distances, kind="stable")[:k]
    assert set(np.flatnonzero(union)) == set(nearest) - set(exclude.tolist())
