"""Simulated DeMuX experiments: a simulated annotator reveals gold labels round by round.

Work that does not depend on the strategy or the seed is done once and shared: the
warm-start model (cached on disk, keyed by its settings and data) and the first scoring pass
of the pools with it (which also gives the zero-shot test metric).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from demux_core.cold_start import round_strategy
from demux_core.data.examples import Example
from demux_core.data.labels import label_counts, with_label
from demux_core.index.search import NeighbourSearch
from demux_core.models.lower_cache import LowerLayerCache
from demux_core.models.source import resolve_model_source
from demux_core.models.task_model import (
    ENCODER_DIR,
    META_FILE,
    TaskModel,
    load_checkpoint_tokenizer,
)
from demux_core.rounds.indexed import FixedPools
from demux_core.rounds.rescore import select_next, with_distance_embeddings
from demux_core.rounds.round import run_round
from demux_core.rounds.stability import prediction_agreement
from demux_core.rounds.types import Pools, RoundConfig, RoundOutcome
from demux_core.scoring.pool import PoolScores, check_embedding_layer, score_pool
from demux_core.selection.strategies import SCORE_FREE_STRATEGIES, Selection
from demux_lab.simulation.config import SimulationConfig
from demux_lab.simulation.result_rows import ResultRow, metrics_row
from demux_lab.simulation.warm_start_cache import warm_start_model

Embeddings = tuple[np.ndarray, np.ndarray]


def run_experiment(
    config: SimulationConfig,
    pools: Pools,
    work_dir: Path,
    show_bars: bool = True,
    cache_dir: Path | None = None,
) -> Iterator[ResultRow]:
    """Run every (strategy, seed) and yield result rows as they are produced.

    Round 0 is the warm-start model (zero-shot on the target); round r >= 1 is the model
    after fine-tuning on the first r batches of picks. ``cache_dir`` holds the warm start
    (and, for the frozen-head recipe, the encoder features); default ``work_dir``.
    """
    cache_dir = cache_dir or work_dir
    _check_embedding_layer(config)
    warm_dir = warm_start_model(config, pools, cache_dir, show_bars)
    if config.recipe == "frozen-head":
        from demux_lab.frozen_head.simulation import run_frozen_experiment

        yield from run_frozen_experiment(config, pools, warm_dir, cache_dir, show_bars)
        return
    tokenizer = load_checkpoint_tokenizer(warm_dir)
    clock = time.perf_counter()
    shared = run_round(
        TaskModel.load(warm_dir),
        tokenizer,
        pools,
        replace(config.round, projection=None),
        show_bars=show_bars,
    )
    shared_seconds = time.perf_counter() - clock
    fixed = _fixed_embeddings(config, pools, tokenizer, shared, show_bars)
    lower = LowerLayerCache(max_bytes=IN_MEMORY_LOWER_BYTES)  # every run starts from warm_dir
    for seed in config.seeds:  # seed-major: a stopped run still compares strategies
        for strategy in config.strategies:
            yield _zero_shot_row(
                strategy,
                seed,
                shared,
                shared_seconds,
                pools.test,
                (config.task, config.round.tag_scheme),
            )
            yield from _one_run(config, pools, warm_dir, tokenizer, shared, strategy, seed, fixed,
                                lower)  # fmt: skip


# The frozen bottom layers' outputs a simulation keeps in memory (its runs share them).
IN_MEMORY_LOWER_BYTES = 1 << 30


def _fixed_embeddings(
    config: SimulationConfig, pools: Pools, tokenizer, shared: RoundOutcome, show_bars: bool
) -> Embeddings | None:
    """Source and target embeddings every round's distances use, or None (each round's own).

    Returns
    -------
    (source, target) : np.ndarray, shapes (n_source, d) and (n_target, d), float32
        ``warm-start``: the warm start's first scoring pass; ``pretrained``: one pass of the
        pre-trained encoder (a fresh head, whose margins are not used).
    """
    if config.distance_encoder == "current":
        return None
    if config.distance_encoder == "warm-start":
        return shared.source_scores.embeddings, shared.target_scores.embeddings
    model = TaskModel.from_pretrained(config.model, config.task, config.labels, config.pooling)
    both = list(pools.source) + list(pools.target)
    scores = score_pool(model, tokenizer, both, config.round.scoring, progress=show_bars)
    return scores.embeddings[: len(pools.source)], scores.embeddings[len(pools.source) :]


def _fixed_pools(config: SimulationConfig, fixed: Embeddings | None) -> FixedPools | None:
    """The fixed vectors as a pool index with exact search, when rounds rescore selectively."""
    if config.rescore != "selected" or fixed is None:
        return None
    return FixedPools(fixed[0], fixed[1], NeighbourSearch(fixed[0]).search)


def _check_embedding_layer(config: SimulationConfig) -> None:
    """Refuse a ``--embedding-layer`` the model lacks before any training (a SelectionError)."""
    layer = config.round.scoring.embedding_layer
    if layer is None:
        return
    from transformers import AutoConfig

    source = Path(resolve_model_source(config.model))
    if (source / META_FILE).is_file():  # a saved TaskModel: its encoder has its own folder
        source = source / ENCODER_DIR
    layers = AutoConfig.from_pretrained(str(source)).num_hidden_layers
    check_embedding_layer(layer, layers, config.model or "the default model")


def _zero_shot_row(
    strategy: str, seed: int, shared: RoundOutcome, seconds: float, test, task_scheme: tuple
) -> ResultRow:
    return metrics_row(strategy, seed, 0, 0, shared.test_metrics, seconds, {}, test, task_scheme)


def _one_run(
    config, pools, warm_dir, tokenizer, shared, strategy, seed, fixed=None, lower=None
) -> Iterator[ResultRow]:
    round_config = replace(
        config.round,
        strategy=strategy,
        seed=seed,
        projection=None,
        training=replace(config.round.training, seed=seed),
    )
    model = TaskModel.load(warm_dir)
    increments = config.increments
    needs_scores = strategy not in SCORE_FREE_STRATEGIES
    seed_labels = sum(1 for example in pools.seed if example.gold is not None)

    def strategy_for(labels: int) -> str:  # the cold start, as the app decides it
        return round_strategy(strategy, seed_labels=seed_labels, labels=labels,
                              cold_start=config.cold_start,
                              cold_start_labels=config.cold_start_labels).strategy  # fmt: skip

    first = replace(round_config, budget=increments[0], strategy=strategy_for(0))
    source_scores, target_scores = with_distance_embeddings(
        shared.source_scores, shared.target_scores, fixed, pools
    )
    selection = select_next(source_scores, target_scores, pools, (), first)
    picked: list[int] = []
    previous_target = list(shared.target_scores.predictions)  # the warm start's
    labeled: list[Example] = []  # trained on
    waiting: list[Example] = []  # labeled, not yet trained on (min_train_labels)
    for number in range(1, len(increments) + 1):
        if selection is None:  # the source pool is used up
            break
        clock = time.perf_counter()
        batch = selection.indices.tolist()
        new_labels = [with_label(pools.source[i], pools.source[i].gold) for i in batch]
        picked.extend(batch)
        next_budget = increments[number] if number < len(increments) else increments[-1]
        outcome = run_round(
            model,
            tokenizer,
            pools,
            replace(round_config, budget=next_budget, strategy=strategy_for(len(picked))),
            new_labels=waiting + new_labels,
            earlier_labels=labeled,
            exclude=picked,
            warm_start_dir=warm_dir,
            rescore=needs_scores and number < len(increments),
            distance_embeddings=None if config.rescore == "selected" else fixed,
            fixed=_fixed_pools(config, fixed),
            lower_cache=lower,
        )
        waiting.extend(new_labels)
        if outcome.trained:
            labeled.extend(waiting)
            waiting = []
        model = outcome.model
        target, target_margin = _target_predictions(outcome, pools, tokenizer, config)
        agreement = prediction_agreement(previous_target, target) if target else None
        previous_target = target or previous_target
        languages = Counter(pools.source[i].language for i in batch)
        yield metrics_row(
            strategy,
            seed,
            number,
            len(picked),
            outcome.test_metrics,
            time.perf_counter() - clock,
            dict(sorted(languages.items())),
            pools.test,
            (config.task, config.round.tag_scheme),
            picked_labels=label_counts(new_labels, config.round.tag_scheme),
            agreement=agreement,
            target_mean_margin=target_margin,
        )
        selection = outcome.selection
        if not needs_scores and number < len(increments):
            selection = _score_free_selection(
                pools, picked, replace(round_config, budget=next_budget)
            )


def _target_predictions(outcome, pools: Pools, tokenizer, config) -> tuple[list, float]:
    """The round model's predictions on the target pool and their mean margin (scored here
    when the round did not rescore: a score-free strategy, the last round)."""
    if not pools.target:
        return [], float("nan")
    scores = outcome.target_scores
    if scores is None or not scores.predictions:
        scores = score_pool(outcome.model, tokenizer, list(pools.target), config.round.scoring,
                            progress=False)  # fmt: skip
    return list(scores.predictions), float(np.mean(scores.uncertainty))


def _score_free_selection(
    pools: Pools, exclude: list[int], config: RoundConfig
) -> Selection | None:
    """The next picks of a strategy that reads no score, without rescoring the pools.

    Equal to :func:`select_next` on fresh scores: such a strategy reads only the pool size,
    the languages, ``exclude`` and the seed, so zero placeholders stand in for the scores
    (and for the pick diagnostics, which a simulation does not keep).
    """

    def placeholder(n: int) -> PoolScores:
        return PoolScores(np.zeros((n, 1), np.float32), np.zeros(n, np.float32), [], "none")

    return select_next(
        placeholder(len(pools.source)), placeholder(len(pools.target)), pools, exclude, config
    )
