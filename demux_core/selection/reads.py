"""Which source margins a strategy will read, known before anything is scored.

With distance vectors fixed for the whole project (a pool index), the knn-uncertainty
family's candidates (the union of the target neighbourhoods, k doubling as in selection)
depend only on the vectors, the budget and what was already picked. A round then scores just
those rows: the strategy reads no other margin, so it picks exactly what a full rescore would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from demux_core.selection.inputs import selectable_mask
from demux_core.selection.knn_union import doubling_union
from demux_core.selection.strategies import REGISTRY


def rows_to_score(
    strategy: str,
    *,
    n_source: int,
    n_target: int,
    budget: int,
    exclude: Iterable[int],
    k: int,
    search: Callable[[int], np.ndarray],
) -> np.ndarray | None:
    """The source rows whose margins ``strategy`` reads; None when it reads every row.

    Parameters
    ----------
    strategy : str -- a key of :data:`~demux_core.selection.strategies.REGISTRY`
    n_source, n_target : int -- pool sizes
    budget : int -- points the round picks (at most the selectable ones)
    exclude : iterable of int -- positions never picked again
    k : int -- the strategy's first k
    search : callable(width) -> (n_target, width) int64 -- the target points' nearest
        source rows, the same search the selection uses

    Returns
    -------
    np.ndarray of int64, sorted, or None
    """
    reads = REGISTRY[strategy].margins
    if reads == "all":
        return None
    if reads == "none" or n_target == 0:
        return np.zeros(0, dtype=np.int64)
    selectable = selectable_mask(exclude, n_source, budget)
    union, _ = doubling_union(search, k, budget, n_target, selectable)
    return np.flatnonzero(union).astype(np.int64)
