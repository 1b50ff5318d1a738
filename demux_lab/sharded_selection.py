"""DeMuX selection over source embeddings streamed shard by shard.

:func:`select_sharded` gives exactly what :func:`demux_core.selection.strategies.select_with_details`
gives on the same pool held in memory (same indices, same order), while holding only one
chunk of source rows, the target pool and O(n) scalars (margins, mean distances):

- ``knn-uncertainty`` and its class- and language-balanced variants: one streaming pass
  keeps, for every target point, its ``width`` nearest source points (the doubling rule and
  widths of :func:`demux_core.selection.knn_union.doubling_union`, shared with the in-memory path);
  each chunk is searched with faiss and merged by (squared distance, index). If the doubling
  outgrows ``width`` another pass runs with the larger width, as in memory.
- ``average-dist``: exact mean L2 distance of every source point, chunk by chunk.
- ``uncertainty``, ``random``, ``egalitarian``: need no embeddings; ``uncertainty-knn``
  gathers only its ``4 * budget`` candidates.

Chunks start at multiples of the block sizes faiss and :mod:`demux_core.selection.neighbors` use
internally, so every distance is computed from the same operands as in memory and comes
out bit-identical. A last pass gathers the picked rows for ``distance_to_target``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from demux_core.errors import SelectionError
from demux_core.scale.embedding_shards import ShardedEmbeddings, aligned_chunks, gather_rows
from demux_core.selection import neighbors, strategies
from demux_core.selection.class_balance import group_round_robin
from demux_core.selection.inputs import (
    check_finite,
    selectable_mask,
    validated_classes,
    validated_languages,
)
from demux_core.selection.knn_union import doubling_union
from demux_core.selection.strategies import Selection
from demux_core.selection.typical import candidate_budget, typical_picks


@dataclass(frozen=True)
class ShardedSelectionSettings:
    """How the streaming selection chunks the source pool.

    Attributes
    ----------
    chunk_rows : int
        Source rows processed at once (rounded up to the alignment faiss and the mean
        distances need). Memory ~ ``chunk_rows * dim * 4`` bytes plus ``chunk_rows * m * 4``
        for one block of distances.
    """

    chunk_rows: int = 65_536

    def __post_init__(self) -> None:
        if self.chunk_rows < 1:
            raise ValueError(f"chunk_rows must be >= 1, got {self.chunk_rows}")


def _aligned(rows: int, multiple: int) -> int:
    return -(-rows // multiple) * multiple


def knn_chunk_rows(settings: ShardedSelectionSettings) -> int:
    """Chunk rows for the k-NN passes: a multiple of faiss's database block size."""
    return _aligned(settings.chunk_rows, int(faiss.cvar.distance_compute_blas_database_bs))


def mean_chunk_rows(settings: ShardedSelectionSettings, n_target: int) -> int:
    """Chunk rows for mean distances: a multiple of :mod:`neighbors`' block rows for m targets."""
    block = neighbors._block_rows(neighbors.DEFAULT_BLOCK_ROWS, n_target)  # noqa: SLF001
    return _aligned(settings.chunk_rows, block)


def _check_finite_chunk(start: int, chunk: np.ndarray) -> None:
    bad = ~np.isfinite(chunk)
    if bad.any():
        row = start + int(np.argwhere(bad)[0][0])
        raise SelectionError(f"source_emb contains NaN or inf (first at row {row})")


def streaming_knn(
    source: ShardedEmbeddings,
    target: np.ndarray,
    k: int,
    settings: ShardedSelectionSettings = ShardedSelectionSettings(),
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest source points of every target point, in one streaming pass.

    Same result as :func:`demux_core.selection.neighbors.knn` on the whole pool.

    Returns
    -------
    distances : ndarray, shape (m, k), float32 -- L2, ascending per row
    indices : ndarray, shape (m, k), int64 -- ties ordered by index
    """
    if not 1 <= k <= source.n_rows:
        raise ValueError(f"k must be in [1, {source.n_rows}], got {k}")
    target = np.ascontiguousarray(target, dtype=np.float32)
    m, sentinel = target.shape[0], np.int64(source.n_rows)
    best_sq = np.full((m, k), np.inf, dtype=np.float32)
    best_ids = np.full((m, k), sentinel, dtype=np.int64)
    width = max(k, 2)  # faiss has a special k == 1 path; k == 2 gives the same distances
    for start, chunk in aligned_chunks(source, knn_chunk_rows(settings)):
        _check_finite_chunk(start, chunk)
        index = faiss.IndexFlatL2(source.dim)
        index.add(chunk)
        squared, ids = index.search(target, min(width, max(chunk.shape[0], 2)))
        ids = np.where(ids < 0, sentinel, ids + start)
        squared = np.where(ids == sentinel, np.inf, squared).astype(np.float32)
        merged_sq = np.concatenate([best_sq, squared], axis=1)
        merged_ids = np.concatenate([best_ids, ids], axis=1)
        order = np.lexsort((merged_ids, merged_sq), axis=1)[:, :k]
        best_sq = np.take_along_axis(merged_sq, order, axis=1)
        best_ids = np.take_along_axis(merged_ids, order, axis=1)
    distances = np.sqrt(np.maximum(best_sq, 0.0, dtype=np.float32))
    order = np.lexsort((best_ids, distances), axis=1)
    return np.take_along_axis(distances, order, axis=1), np.take_along_axis(best_ids, order, axis=1)


def streaming_mean_distances(
    source: ShardedEmbeddings,
    target: np.ndarray,
    settings: ShardedSelectionSettings = ShardedSelectionSettings(),
) -> np.ndarray:
    """Mean L2 distance of every source point to all target points, shape (n,) float32.

    Same result as :func:`demux_core.selection.neighbors.mean_distances` on the whole pool.
    """
    means = np.empty(source.n_rows, dtype=np.float32)
    for start, chunk in aligned_chunks(source, mean_chunk_rows(settings, target.shape[0])):
        _check_finite_chunk(start, chunk)
        means[start : start + chunk.shape[0]] = neighbors.mean_distances(chunk, target)
    return means


def _ranked(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    return candidates[np.argsort(scores[candidates], kind="stable")]


def _knn_uncertainty(
    inputs: _Inputs, settings: ShardedSelectionSettings, groups: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """knn-uncertainty's picks; with ``groups`` (classes or languages), the balanced ones'."""

    def search(width: int) -> np.ndarray:
        return streaming_knn(inputs.source, inputs.target, width, settings)[1]

    union, k = doubling_union(
        search, inputs.k, inputs.budget, inputs.target.shape[0], inputs.selectable
    )
    candidates = np.flatnonzero(union)
    if groups is None:
        order = _ranked(inputs.uncertainty, candidates)
    else:
        order = group_round_robin(candidates, inputs.uncertainty, groups)
    return order[: inputs.budget].astype(np.int64), k


def _typical_knn(inputs: _Inputs, settings: ShardedSelectionSettings, seed: int):
    """typical-knn's picks: the streamed neighbourhood union, then the candidates' rows."""

    def search(width: int) -> np.ndarray:
        return streaming_knn(inputs.source, inputs.target, width, settings)[1]

    wanted = candidate_budget(inputs.budget, int(inputs.selectable.sum()))
    union, k = doubling_union(search, inputs.k, wanted, inputs.target.shape[0], inputs.selectable)
    candidates = np.flatnonzero(union)
    rows = gather_rows(inputs.source, candidates)
    return typical_picks(candidates, rows, inputs.budget, seed), k


def _average_dist(inputs: _Inputs, settings: ShardedSelectionSettings) -> np.ndarray:
    means = streaming_mean_distances(inputs.source, inputs.target, settings)
    return _ranked(means, np.flatnonzero(inputs.selectable))[: inputs.budget].astype(np.int64)


@dataclass(frozen=True, eq=False)
class _Inputs:
    source: ShardedEmbeddings
    target: np.ndarray
    uncertainty: np.ndarray
    budget: int
    selectable: np.ndarray
    k: int


def _validate(strategy, source, target_emb, uncertainty, budget, exclude, k) -> _Inputs:
    if strategy not in strategies.STRATEGIES:
        raise SelectionError(
            f"unknown strategy {strategy!r}; known strategies: {', '.join(strategies.STRATEGIES)}"
        )
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer) or budget <= 0:
        raise SelectionError(f"budget must be a positive integer, got {budget!r}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise SelectionError(f"k must be a positive integer, got {k!r}")
    target = np.ascontiguousarray(target_emb, dtype=np.float32)
    if target.ndim != 2 or target.shape[0] == 0:
        raise SelectionError(f"target_emb must be a non-empty (m, d) array, got {target.shape}")
    if target.shape[1] != source.dim:
        raise SelectionError(
            f"dimension mismatch: source_emb has dim {source.dim}, target_emb has dim {target.shape[1]}"
        )
    check_finite("target_emb", target)
    margins = np.asarray(uncertainty, dtype=np.float64)
    if margins.shape != (source.n_rows,):
        raise SelectionError(f"uncertainty must have shape ({source.n_rows},), got {margins.shape}")
    check_finite("uncertainty", margins)
    selectable = selectable_mask(exclude, source.n_rows, int(budget))
    return _Inputs(source, target, margins, int(budget), selectable, int(k))


def _in_memory_pick(strategy, inputs: _Inputs, languages, seed, exclude) -> tuple[np.ndarray, int]:
    """Strategies that need no full embedding matrix, run by :mod:`strategies` itself."""
    n = inputs.source.n_rows
    if strategy == "uncertainty-knn":
        pool = _ranked(inputs.uncertainty, np.flatnonzero(inputs.selectable))
        candidates = np.sort(pool[: strategies.UNCERTAINTY_KNN_CANDIDATE_FACTOR * inputs.budget])
        picked = strategies.select(
            strategy,
            source_emb=gather_rows(inputs.source, candidates),
            target_emb=inputs.target,
            uncertainty=inputs.uncertainty[candidates],
            budget=inputs.budget,
        )
        return candidates[picked], 1
    picked = strategies.select(
        strategy,
        source_emb=np.zeros((n, 0), dtype=np.float32),
        target_emb=np.zeros((0, 0), dtype=np.float32),
        uncertainty=inputs.uncertainty,
        budget=inputs.budget,
        exclude=exclude,
        languages=languages,
        k=inputs.k,
        seed=seed,
    )
    return picked, 0


_KNN_STRATEGIES = ("knn-uncertainty", "balanced-knn-uncertainty", "egalitarian-knn-uncertainty")


def _turn_groups(strategy, classes, languages, n: int) -> np.ndarray | None:
    """The groups whose turns a knn-uncertainty strategy takes: (n,) str, or None."""
    if strategy == "balanced-knn-uncertainty":
        return validated_classes(strategy, strategies.CLASS_STRATEGIES, classes, n)
    if strategy == "egalitarian-knn-uncertainty":
        return validated_languages(strategy, strategies.LANGUAGE_STRATEGIES, languages, n)
    return None


def select_sharded(
    strategy: str,
    *,
    source: ShardedEmbeddings,
    target_emb: np.ndarray,
    uncertainty: np.ndarray,
    budget: int,
    exclude: Iterable[int] = (),
    languages: Sequence[str] | np.ndarray | None = None,
    k: int = 1,
    seed: int = 0,
    settings: ShardedSelectionSettings = ShardedSelectionSettings(),
    classes: Sequence[str] | np.ndarray | None = None,
) -> Selection:
    """:func:`demux_core.selection.strategies.select_with_details` over a streamed source pool.

    Parameters
    ----------
    strategy : str -- a key of :data:`demux_core.selection.strategies.STRATEGIES`
    source : ShardedEmbeddings -- n source embeddings of dimension d, in pool order
    target_emb : ndarray, shape (m, d), float32, m >= 1 (held in memory)
    uncertainty : ndarray, shape (n,) -- margins, lower = more uncertain
    budget, exclude, languages, k, seed, classes : as in :func:`demux_core.selection.strategies.select`
    settings : ShardedSelectionSettings

    Returns
    -------
    Selection -- indices (budget,) int64 in pick order, with per-point diagnostics
    """
    exclude = list(exclude)
    inputs = _validate(strategy, source, target_emb, uncertainty, budget, exclude, k)
    if strategy in _KNN_STRATEGIES:
        groups = _turn_groups(strategy, classes, languages, source.n_rows)
        indices, k_used = _knn_uncertainty(inputs, settings, groups)
    elif strategy == "average-dist":
        indices, k_used = _average_dist(inputs, settings), 0
    elif strategy == "typical-knn":
        indices, k_used = _typical_knn(inputs, settings, seed)
    else:
        indices, k_used = _in_memory_pick(strategy, inputs, languages, seed, exclude)
    indices = np.asarray(indices, dtype=np.int64)
    picked_rows = gather_rows(source, indices)
    return Selection(
        indices=indices,
        distance_to_target=neighbors.mean_distances(picked_rows, inputs.target),
        uncertainty=inputs.uncertainty[indices],
        k_used=k_used,
        strategy=strategy,
    )
