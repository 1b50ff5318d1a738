"""Validation of selection arguments: one place that turns user input into SelectionInputs.

Split out of :mod:`demux_core.selection.strategies` (which re-exports :class:`SelectionInputs`).
Numpy only; every problem raises :class:`~demux_core.errors.SelectionError` naming the
argument and, for non-finite values, the first bad row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from demux_core.errors import SelectionError


@dataclass(frozen=True, eq=False)
class Picked:
    """What a strategy returns: source indices (budget,) int64 in pick order, and the k used."""

    indices: np.ndarray
    k_used: int


@dataclass(frozen=True, eq=False)
class Selection:
    """A selection with the diagnostics stored per selected point.

    Attributes
    ----------
    indices : ndarray, shape (budget,), int64 -- source indices in pick order
    distance_to_target : ndarray, shape (budget,), float32 -- each point's MEAN L2 distance
        to all target points (NaN when the target pool is empty)
    uncertainty : ndarray, shape (budget,), float64 -- each point's margin
    k_used : int -- final k for the ``knn-uncertainty`` strategies, 1 for ``uncertainty-knn``, else 0
    strategy : str
    """

    indices: np.ndarray
    distance_to_target: np.ndarray
    uncertainty: np.ndarray
    k_used: int
    strategy: str


@dataclass(frozen=True, eq=False)
class SelectionInputs:
    """Validated inputs shared by every strategy.

    Attributes
    ----------
    source_emb : ndarray, shape (n, d), float32
    target_emb : ndarray, shape (m, d), float32 (m may be 0 for non-distance strategies)
    uncertainty : ndarray, shape (n,), float64 -- margins, lower = more uncertain
    budget : int -- number of new points to pick, ``1 <= budget <= selectable.sum()``
    selectable : ndarray, shape (n,), bool -- False for excluded points
    languages : ndarray, shape (n,), str, or None
    k : int -- initial k of the k-NN strategies, >= 1
    seed : int
    classes : ndarray, shape (n,), str, or None -- predicted class of every source point
        (see :mod:`demux_core.selection.class_balance`)
    search : callable or None -- ``search(width)`` gives each target point's ``width``
        nearest source points, (m, width) int64, nearest first (a pool index's search);
        None = an exact search of ``source_emb``
    """

    source_emb: np.ndarray
    target_emb: np.ndarray
    uncertainty: np.ndarray
    budget: int
    selectable: np.ndarray
    languages: np.ndarray | None
    k: int
    seed: int
    classes: np.ndarray | None = None
    search: Callable[[int], np.ndarray] | None = None


def _finite_matrix(name: str, array: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(array, dtype=np.float32)
    if matrix.ndim == 1 and matrix.size == 0:
        matrix = matrix.reshape(0, 0)
    if matrix.ndim != 2:
        raise SelectionError(f"{name} must be a 2-D (rows, dim) array, got shape {matrix.shape}")
    check_finite(name, matrix)
    return matrix


def check_finite(name: str, array: np.ndarray) -> None:
    """Raise :class:`SelectionError` naming the first row that holds NaN or inf."""
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise SelectionError(f"{name} contains NaN or inf (first at row {row})")


def selectable_mask(exclude: Iterable[int], n: int, budget: int) -> np.ndarray:
    """(n,) bool: True where a source point may be picked; raises when fewer than ``budget``."""
    excluded = np.asarray(list(exclude), dtype=np.int64).reshape(-1)
    outside = excluded[(excluded < 0) | (excluded >= n)]
    if outside.size:
        raise SelectionError(
            f"exclude holds index {int(outside[0])}, outside the source pool [0, {n})"
        )
    selectable = np.ones(n, dtype=bool)
    selectable[excluded] = False
    available = int(selectable.sum())
    if budget > available:
        raise SelectionError(
            f"budget {budget} > {available} selectable source points "
            f"({n} in pool, {n - available} excluded)"
        )
    return selectable


def validate_selection_inputs(
    strategy: str,
    known_strategies: Sequence[str],
    distance_strategies: Collection[str],
    source_emb: np.ndarray,
    target_emb: np.ndarray,
    uncertainty: np.ndarray,
    budget: int,
    exclude: Iterable[int],
    languages: Sequence[str] | np.ndarray | None,
    k: int,
    seed: int,
    classes: Sequence[str] | np.ndarray | None = None,
    class_strategies: Collection[str] = (),
    language_strategies: Collection[str] = (),
) -> SelectionInputs:
    """Check every selection argument and return them normalised.

    Parameters
    ----------
    strategy : str
    known_strategies : sequence of str -- registered names (for the error message)
    distance_strategies : collection of str -- names that need a non-empty target pool
    source_emb : ndarray, shape (n, d) -- converted to contiguous float32
    target_emb : ndarray, shape (m, d) -- converted to contiguous float32 (m may be 0)
    uncertainty : ndarray, shape (n,) -- converted to float64
    budget : int -- 1 <= budget <= number of selectable points
    exclude : iterable of int -- source indices in [0, n)
    languages : sequence of str, shape (n,), or None -- required by the strategies in
        ``language_strategies``
    k : int -- >= 1
    seed : int
    classes : sequence of str, shape (n,), or None -- predicted classes, required by the
        strategies in ``class_strategies``
    class_strategies : collection of str -- names that need ``classes``
    language_strategies : collection of str -- names that need ``languages``

    Returns
    -------
    SelectionInputs

    Raises
    ------
    SelectionError
        Naming the bad argument (and the first bad row for NaN/inf).
    """
    if strategy not in known_strategies:
        known = ", ".join(known_strategies)
        raise SelectionError(f"unknown strategy {strategy!r}; known strategies: {known}")
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer) or budget <= 0:
        raise SelectionError(f"budget must be a positive integer, got {budget!r}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise SelectionError(f"k must be a positive integer, got {k!r}")
    source = _finite_matrix("source_emb", source_emb)
    target = _finite_matrix("target_emb", target_emb)
    n = source.shape[0]
    if strategy in distance_strategies and target.shape[0] == 0:
        raise SelectionError(f"strategy {strategy!r} needs a non-empty target pool (target_emb)")
    if target.shape[0] and target.shape[1] != source.shape[1]:
        raise SelectionError(
            f"dimension mismatch: source_emb has dim {source.shape[1]}, "
            f"target_emb has dim {target.shape[1]}"
        )
    margins = np.asarray(uncertainty, dtype=np.float64)
    if margins.shape != (n,):
        raise SelectionError(f"uncertainty must have shape ({n},), got {margins.shape}")
    check_finite("uncertainty", margins)
    langs = validated_languages(strategy, language_strategies, languages, n)
    classes_ = validated_classes(strategy, class_strategies, classes, n)
    selectable = selectable_mask(exclude, n, int(budget))
    return SelectionInputs(
        source, target, margins, int(budget), selectable, langs, int(k), seed, classes_
    )


def _validated_per_point(
    name: str,
    one: str,
    strategy: str,
    needing: Collection[str],
    values: Sequence[str] | np.ndarray | None,
    n: int,
) -> np.ndarray | None:
    """``values`` as an (n,) str array; None when absent and ``strategy`` is not in ``needing``."""
    if values is None:
        if strategy in needing:
            raise SelectionError(f"strategy {strategy!r} needs {name} ({one} per source point)")
        return None
    array = np.asarray(values, dtype=str)
    if array.shape != (n,):
        raise SelectionError(f"{name} must have shape ({n},), got {array.shape}")
    return array


def validated_classes(
    strategy: str,
    class_strategies: Collection[str],
    classes: Sequence[str] | np.ndarray | None,
    n: int,
) -> np.ndarray | None:
    """``classes`` as an (n,) str array; None when absent and ``strategy`` does not need them."""
    return _validated_per_point(
        "classes", "one predicted class", strategy, class_strategies, classes, n
    )


def validated_languages(
    strategy: str,
    language_strategies: Collection[str],
    languages: Sequence[str] | np.ndarray | None,
    n: int,
) -> np.ndarray | None:
    """``languages`` as an (n,) str array; None when absent and ``strategy`` does not need them."""
    return _validated_per_point("languages", "one", strategy, language_strategies, languages, n)
