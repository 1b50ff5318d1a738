"""The full round's scoring helpers: every row rescored by the round's model.

:func:`demux_core.rounds.round.run_round` uses them when it has no pool index; the
simulation CLI uses :func:`select_next` and :func:`with_distance_embeddings` as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from demux_core.errors import DemuxError
from demux_core.rounds.diagnostics import neighborhood_uncertainty_pearson
from demux_core.rounds.types import Pools, RoundConfig
from demux_core.scoring.pool import PoolScores
from demux_core.selection.strategies import Selection, classes_for, select_with_details


def with_distance_embeddings(
    source: PoolScores,
    target: PoolScores,
    embeddings: tuple[np.ndarray, np.ndarray] | None,
    pools: Pools,
) -> tuple[PoolScores, PoolScores]:
    """The two pools' scores with their embeddings replaced by ``embeddings`` (None: as they are).

    Raises
    ------
    ValueError
        When the rows of ``embeddings`` do not match the pools.
    """
    if embeddings is None:
        return source, target
    rows = (len(embeddings[0]), len(embeddings[1]))
    if rows != (len(pools.source), len(pools.target)):
        raise ValueError(
            f"distance_embeddings have {rows[0]} source and {rows[1]} target rows; the pools "
            f"hold {len(pools.source)} and {len(pools.target)}"
        )
    return replace(source, embeddings=embeddings[0]), replace(target, embeddings=embeddings[1])


def split_scores(scores: PoolScores, n_source: int) -> tuple[PoolScores, PoolScores]:
    """Split one scoring pass over source + target into the two pools' scores."""

    def part(rows: slice) -> PoolScores:
        return replace(
            scores,
            embeddings=scores.embeddings[rows],
            uncertainty=scores.uncertainty[rows],
            predictions=scores.predictions[rows],
            example_ids=tuple(scores.example_ids[rows]),
        )

    return part(slice(0, n_source)), part(slice(n_source, None))


def select_next(
    source: PoolScores,
    target: PoolScores,
    pools: Pools,
    exclude: Sequence[int],
    config: RoundConfig,
) -> Selection | None:
    """The next batch from the given scores (None when nothing is left to pick)."""
    selectable = len(pools.source) - len(set(exclude))
    if selectable <= 0:
        return None
    return select_with_details(
        config.strategy,
        source_emb=source.embeddings,
        target_emb=target.embeddings,
        uncertainty=source.uncertainty,
        budget=min(config.budget, selectable),
        exclude=exclude,
        languages=pools.source_languages,
        k=config.k,
        seed=config.seed,
        classes=classes_for(config.strategy, source.predictions),
    )


def full_pearson(source: PoolScores, target: PoolScores, k: int) -> float | None:
    """The premise diagnostic over rescored pools (None when undefined)."""
    k = min(k, len(source.uncertainty))
    if len(target.uncertainty) < 2 or k < 1:
        return None
    try:
        return neighborhood_uncertainty_pearson(
            source.embeddings, target.embeddings, source.uncertainty, target.uncertainty, k=k
        )
    except DemuxError:
        return None  # e.g. constant uncertainties: the diagnostic is undefined
