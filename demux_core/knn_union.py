"""The candidates of the ``knn-uncertainty`` strategies: the union of target neighbourhoods.

numpy and :mod:`demux_core.neighbors` (faiss) only. The streaming selection in
:mod:`demux_core.scale.sharded_selection` uses the same first search width, so both paths
search alike.
"""

from __future__ import annotations

import numpy as np

from demux_core.neighbors import knn
from demux_core.selection_inputs import SelectionInputs


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


def knn_union(inputs: SelectionInputs) -> tuple[np.ndarray, int]:
    """Union of the target points' k nearest selectable source points, and the final k.

    Starting from ``inputs.k``, k doubles (capped at n) while the union holds no more than
    ``budget`` selectable points. One faiss search serves several doublings; it is widened
    (and redone) only when the first width is not enough.

    Returns
    -------
    union : ndarray, shape (n,), bool -- selectable points in some target's k-neighbourhood
    k : int -- the final k
    """
    n, budget = inputs.source_emb.shape[0], inputs.budget
    k = min(inputs.k, n)
    width = search_width(k, budget, inputs.target_emb.shape[0], n)
    _, neighbours = knn(inputs.source_emb, inputs.target_emb, width)
    while True:
        union = _union_mask(neighbours, k, n) & inputs.selectable
        if int(union.sum()) > budget or k >= n:
            return union, k
        k = min(2 * k, n)
        if k > width:
            width = min(max(8 * width, k), n)
            _, neighbours = knn(inputs.source_emb, inputs.target_emb, width)
