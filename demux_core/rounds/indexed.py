"""The indexed round: distances from the pool index, margins only where selection reads them.

:func:`demux_core.rounds.round.run_round` calls :func:`score_and_select` when it is given a
:class:`FixedPools`. Compared with rescoring every row, it scores the still-selectable
candidates of the knn-uncertainty family (:func:`demux_core.selection.reads.rows_to_score`),
the source neighbourhoods the diagnostic reads, and the target pool; strategies that read
every margin still score every row; strategies that read none score only their picks (so
the annotators see the model's guess). The picks equal a full rescore's with the same model
and vectors (tests/core/rounds/test_indexed_round.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from demux_core.errors import DemuxError
from demux_core.rounds.projection import MapPoints, choose_map_points
from demux_core.rounds.types import Pools, RoundConfig
from demux_core.scoring.pool import UNSCORED, PoolScores
from demux_core.selection.class_balance import prediction_class
from demux_core.selection.reads import rows_to_score
from demux_core.selection.strategies import CLASS_STRATEGIES, Selection, select_with_details

Score = Callable[[Sequence], PoolScores]


@dataclass(frozen=True)
class FixedPools:
    """What a pool index gives a round.

    Attributes
    ----------
    source, target : np.ndarray, shapes (n, d) and (m, d), float32 -- fixed vectors
    search : callable(queries (q, d), width) -> (q, width) int64 -- nearest source rows
    source_coords, target_coords : np.ndarray (n, 2) / (m, 2) float32, or None -- the
        fixed map (None: no map)
    """

    source: np.ndarray
    target: np.ndarray
    search: Callable[[np.ndarray, int], np.ndarray]
    source_coords: np.ndarray | None = None
    target_coords: np.ndarray | None = None


def _spread(part: PoolScores, rows: np.ndarray, vectors: np.ndarray) -> PoolScores:
    """Full-length scores from the scores of ``rows``: the others UNSCORED / None."""
    uncertainty = np.full(len(vectors), UNSCORED, dtype=np.float32)
    uncertainty[rows] = part.uncertainty
    predictions: list = [None] * len(vectors)
    for row, prediction in zip(rows.tolist(), part.predictions, strict=True):
        predictions[row] = prediction
    return PoolScores(vectors, uncertainty, predictions, part.model_version, (), rows)


def score_and_select(
    score: Score,
    pools: Pools,
    config: RoundConfig,
    fixed: FixedPools,
    exclude: Sequence[int],
    keep_on_map: Sequence[int],
) -> tuple[PoolScores, PoolScores, Selection | None, float | None, MapPoints | None]:
    """Score what selection and the diagnostic read, select, and place the map.

    Parameters
    ----------
    score : callable(examples) -> PoolScores -- the round model's scoring
    pools, config, exclude, keep_on_map : as :func:`~demux_core.rounds.round.run_round`
    fixed : FixedPools

    Returns
    -------
    source scores (n rows; unscored rows marked), target scores, selection (None when
    nothing is left), diagnostic Pearson (None when undefined), map points (None without
    coordinates)
    """
    n, m = len(pools.source), len(pools.target)
    if fixed.source.shape[0] != n or fixed.target.shape[0] != m:
        raise DemuxError(
            f"the pool index holds {fixed.source.shape[0]} source and {fixed.target.shape[0]} "
            f"target rows; the pools hold {n} and {m}: rebuild the index"
        )
    search = _remembered(lambda width: fixed.search(fixed.target, width)) if m else None
    selectable = n - len(set(exclude))
    budget = min(config.budget, selectable)
    wanted = None
    if budget > 0:
        wanted = rows_to_score(config.strategy, n_source=n, n_target=m, budget=budget,
                               exclude=exclude, k=config.k, search=search)  # fmt: skip
    diagnostic = np.zeros((m, 0), dtype=np.int64)
    if m >= 2 and config.diagnostic_k >= 1:
        diagnostic = fixed.search(fixed.target, min(config.diagnostic_k, n))
    rows = np.arange(n) if wanted is None else np.union1d(wanted, diagnostic.ravel())
    scored = score([pools.source[i] for i in rows] + list(pools.target))
    source = _spread(_part(scored, slice(0, len(rows))), rows.astype(np.int64), fixed.source)
    target = replace(_part(scored, slice(len(rows), None)), embeddings=fixed.target)
    selection = None
    if budget > 0:
        selection = select_with_details(
            config.strategy, source_emb=fixed.source, target_emb=fixed.target,
            uncertainty=source.uncertainty, budget=budget, exclude=exclude,
            languages=pools.source_languages, k=config.k, seed=config.seed,
            classes=_classes(config.strategy, source), search=search,
        )  # fmt: skip
        source, selection = _score_picks(score, pools, source, selection)
    pearson = _pearson(source.uncertainty, target.uncertainty, diagnostic)
    return source, target, selection, pearson, _map(fixed, config, keep_on_map, selection)


def _remembered(search: Callable[[int], np.ndarray]) -> Callable[[int], np.ndarray]:
    """``search`` that answers a width it has searched before from memory (the candidates
    and the selection search the same width: a large pool is searched once, not twice)."""
    answers: dict[int, np.ndarray] = {}

    def remembered(width: int) -> np.ndarray:
        if width not in answers:
            answers[width] = search(width)
        return answers[width]

    return remembered


def _part(scores: PoolScores, rows: slice) -> PoolScores:
    return replace(scores, embeddings=scores.embeddings[rows], uncertainty=scores.uncertainty[rows],
                   predictions=scores.predictions[rows], example_ids=())  # fmt: skip


def _classes(strategy: str, source: PoolScores) -> np.ndarray | None:
    if strategy not in CLASS_STRATEGIES:
        return None
    return np.array(
        ["" if p is None else prediction_class(p) for p in source.predictions], dtype=str
    )


def _score_picks(score: Score, pools: Pools, source: PoolScores, selection: Selection):
    """Scores the picks a strategy chose without reading their margins (random, egalitarian,
    average-dist), so the stored margins and the annotators' suggestions are real."""
    missing = np.setdiff1d(selection.indices, source.scored)
    if missing.size == 0:
        return source, selection
    extra = score([pools.source[i] for i in missing])
    uncertainty = source.uncertainty.copy()
    uncertainty[missing] = extra.uncertainty
    predictions = list(source.predictions)
    for row, prediction in zip(missing.tolist(), extra.predictions, strict=True):
        predictions[row] = prediction
    rows = np.union1d(source.scored, missing).astype(np.int64)
    source = replace(source, uncertainty=uncertainty, predictions=predictions, scored=rows)
    picked = uncertainty[selection.indices].astype(np.float64)
    return source, replace(selection, uncertainty=picked)


def _pearson(
    source_unc: np.ndarray, target_unc: np.ndarray, neighbours: np.ndarray
) -> float | None:
    """Target margins against the mean margin of their nearest source rows (see
    :func:`demux_core.rounds.diagnostics.neighborhood_uncertainty_pearson`)."""
    if neighbours.shape[1] == 0:
        return None
    around = source_unc[neighbours].astype(np.float64).mean(axis=1)
    if np.ptp(around) == 0 or np.ptp(target_unc) == 0:
        return None
    return float(np.corrcoef(np.asarray(target_unc, np.float64), around)[0, 1])


def _map(
    fixed: FixedPools, config: RoundConfig, keep: Sequence[int], selection
) -> MapPoints | None:
    if fixed.source_coords is None or config.projection is None:
        return None
    picks = list(keep) + ([] if selection is None else selection.indices.tolist())
    source, target = choose_map_points(len(fixed.source), len(fixed.target), picks,
                                       max_points=config.projection.max_points, seed=config.projection.seed)  # fmt: skip
    return MapPoints(source, target, fixed.source_coords[source], fixed.target_coords[target])
