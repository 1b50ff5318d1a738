"""The candidates of the ``knn-uncertainty`` strategies: the union of target neighbourhoods.

numpy and :mod:`demux_core.selection.neighbors` (faiss) only. The harness's streaming selection over
embedding shards uses the same first search width, so both paths search alike.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from demux_core.selection.inputs import SelectionInputs
from demux_core.selection.neighbors import knn


def search_width(k: int, budget: int, n_target: int, n_source: int) -> int:
    """First k-NN width to search: a ``k * 2**i`` at least 8x the lower bound budget / m.

    Parameters
    ----------
    k : int -- the starting k (>= 1)
    budget : int -- points to pick
    n_target, n_source : int -- pool sizes (m >= 1, n >= 1)

    Returns
    -------
    int -- a width in [1, n_source]
    """
    width = k
    guess = max(16, 8 * -(-(budget + 1) // n_target))
    while width < guess and width < n_source:
        width *= 2
    return min(width, n_source)


def _union_mask(neighbour_indices: np.ndarray, k: int, n_source: int) -> np.ndarray:
    mask = np.zeros(n_source, dtype=bool)
    mask[neighbour_indices[:, :k].ravel()] = True
    return mask


def doubling_union(
    search: Callable[[int], np.ndarray],
    k: int,
    budget: int,
    n_target: int,
    selectable: np.ndarray,
) -> tuple[np.ndarray, int]:
    """The doubling rule of the ``knn-uncertainty`` strategies, for any neighbour search.

    Starting from ``k``, k doubles (capped at n) while the union of the target points' k
    nearest source points holds no more than ``budget`` selectable points. One search serves
    several doublings; it is widened (and redone) only when the first width is not enough.

    Parameters
    ----------
    search : callable -- ``search(width)`` returns the (m, width) int64 indices of each target
        point's ``width`` nearest source points, nearest first (in memory or streamed)
    k : int -- the starting k (>= 1)
    budget : int -- points to pick
    n_target : int -- m >= 1
    selectable : ndarray, shape (n,), bool

    Returns
    -------
    union : ndarray, shape (n,), bool -- selectable points in some target's k-neighbourhood
    k : int -- the final k
    """
    n = selectable.shape[0]
    k = min(k, n)
    width = search_width(k, budget, n_target, n)
    neighbours = search(width)
    while True:
        union = _union_mask(neighbours, k, n) & selectable
        if int(union.sum()) > budget or k >= n:
            return union, k
        k = min(2 * k, n)
        if k > width:
            width = min(max(8 * width, k), n)
            neighbours = search(width)


def neighbour_search(inputs: SelectionInputs) -> Callable[[int], np.ndarray]:
    """``search(width)``: ``inputs.search``, else an exact faiss search of ``inputs``."""
    if inputs.search is not None:
        return inputs.search
    return lambda width: knn(inputs.source_emb, inputs.target_emb, width)[1]


def knn_union(inputs: SelectionInputs) -> tuple[np.ndarray, int]:
    """:func:`doubling_union` over :func:`neighbour_search`."""
    return doubling_union(neighbour_search(inputs), inputs.k, inputs.budget,
                          inputs.target_emb.shape[0], inputs.selectable)  # fmt: skip
