"""Simulated experiments with the frozen-encoder recipe.

The encoder is fine-tuned once on the labeled seed set (the shared warm start), run once
over every pool (:func:`demux_lab.frozen_head.features.extract_features`, cached on disk), and
then frozen. Round ``r`` picks the next batch with the current head's margins and the
frozen embeddings, then refits the head from scratch on the seed set plus all labels so far
(:func:`demux_lab.frozen_head.head_training.fit_head`). Round 0 is the head fitted on the seed set
alone, so every later figure differs from it only by the picked labels. Without a seed set
the encoder is the bare pre-trained one, round 0 has no head (and no score), and until
``cold_start_labels`` labels exist a strategy that reads margins gives way to the cold start
(:func:`demux_core.cold_start.round_strategy`, as in the app).

Seeds change the seeded strategies (random, egalitarian) and, with
``target_fraction < 1``, which sample of the target pool the distance strategies see.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from demux_core.cold_start import round_strategy
from demux_core.data.examples import Example, TaskType
from demux_core.data.labels import gold_labels, label_counts
from demux_core.models.task_model import TaskModel, load_checkpoint_tokenizer
from demux_core.rounds.evaluation import evaluate
from demux_core.rounds.types import Pools
from demux_core.selection.strategies import classes_for, select_with_details
from demux_lab.frozen_head.features import FrozenFeatures, FrozenRecipeError, extract_features
from demux_lab.frozen_head.head_scoring import HeadScores, labeled_rows, score_features
from demux_lab.frozen_head.head_training import LinearHead, fit_head
from demux_lab.simulation.config import SimulationConfig
from demux_lab.simulation.result_rows import ResultRow, metrics_row


@dataclass(frozen=True)
class FrozenPools:
    """Encoder features of each pool (seed or test None when there is none)."""

    source: FrozenFeatures
    target: FrozenFeatures
    seed: FrozenFeatures | None
    test: FrozenFeatures | None


def pool_features(
    warm_dir: Path, pools: Pools, config: SimulationConfig, cache_dir: Path, show_bars: bool
) -> FrozenPools:
    """Run the warm-started encoder once over every pool (cached under ``cache_dir``)."""
    model = TaskModel.load(warm_dir)
    tokenizer = load_checkpoint_tokenizer(warm_dir)
    scoring = config.round.scoring
    folder = cache_dir / "features"

    def run(examples: Sequence[Example]) -> FrozenFeatures:
        return extract_features(
            model, tokenizer, examples, scoring, progress=show_bars, cache_dir=folder
        )

    test = run(pools.test) if pools.test else None
    seed = run(pools.seed) if pools.seed else None
    return FrozenPools(run(pools.source), run(pools.target), seed, test)


class _Fitter:
    """Fits heads on the seed set plus picked source labels (seed rows built once)."""

    def __init__(self, config: SimulationConfig, pools: Pools, features: FrozenPools) -> None:
        self.config, self.pools, self.features = config, pools, features
        self.label_to_id = {label: i for i, label in enumerate(config.labels)}
        if features.seed is None:  # no seed set: heads see the picked labels only
            width = features.source.head_inputs.shape[1]
            self.seed_inputs = np.zeros((0, width), features.source.head_inputs.dtype)
            self.seed_targets = np.zeros(0, np.int64)
            return
        rows, targets = labeled_rows(
            pools.seed, features.seed, range(len(pools.seed)), self.label_to_id
        )
        self.seed_inputs = features.seed.head_inputs[rows]
        self.seed_targets = targets

    def fit(self, picked: Sequence[int]) -> LinearHead:
        rows, targets = labeled_rows(
            self.pools.source, self.features.source, picked, self.label_to_id
        )
        inputs = np.concatenate([self.seed_inputs, self.features.source.head_inputs[rows]])
        all_targets = np.concatenate([self.seed_targets, targets])
        weights = np.concatenate(
            [np.ones(len(self.seed_targets)), np.full(len(targets), self.config.head.pick_weight)]
        )
        return fit_head(inputs, all_targets, weights, len(self.config.labels), self.config.head)

    def score(self, head: LinearHead, features: FrozenFeatures) -> HeadScores:
        aggregation = self.config.round.scoring.aggregation
        return score_features(head, features, self.config.labels, aggregation)


def run_frozen_experiment(
    config: SimulationConfig, pools: Pools, warm_dir: Path, cache_dir: Path, show_bars: bool
) -> Iterator[ResultRow]:
    """Every (strategy, seed) with the frozen-head recipe; rows as in ``run_experiment``."""
    if TaskType(config.task) not in (TaskType.TOKEN, TaskType.SEQUENCE, TaskType.PAIR):
        raise FrozenRecipeError("the frozen-head recipe supports token, sequence and pair tasks")
    clock = time.perf_counter()
    features = pool_features(warm_dir, pools, config, cache_dir, show_bars)
    fitter = _Fitter(config, pools, features)
    if pools.seed:
        seed_head = fitter.fit(())
        seed_scores = fitter.score(seed_head, features.source)
        zero_shot = _evaluated(config, pools, features, fitter, seed_head)
    else:  # no head before the first labels: placeholder margins, no zero-shot score
        seed_scores = HeadScores(np.zeros(len(pools.source)), [], "none")
        zero_shot = None
    shared_seconds = time.perf_counter() - clock
    zero_shot_row = _row(config, pools, "", 0, 0, 0, zero_shot, shared_seconds, {})
    for strategy in config.strategies:
        for seed in config.seeds:
            yield replace(zero_shot_row, strategy=strategy, seed=seed)
            yield from _one_run(config, pools, features, fitter, seed_scores, strategy, seed)


def target_rows(n_target: int, fraction: float, seed: int) -> np.ndarray:
    """The target-pool rows a seed sees: all of them, or a seeded sample of ``fraction``."""
    if fraction >= 1.0:
        return np.arange(n_target)
    size = max(1, round(fraction * n_target))
    return np.sort(np.random.default_rng(10_007 + seed).choice(n_target, size, replace=False))


def _one_run(config, pools, features, fitter, seed_scores, strategy, seed) -> Iterator[ResultRow]:
    target_emb = features.target.embeddings[
        target_rows(len(features.target), config.target_fraction, seed)
    ]
    languages = pools.source_languages
    scores, picked = seed_scores, []
    seed_labels = sum(1 for example in pools.seed if example.gold is not None)
    for number, increment in enumerate(config.increments, start=1):
        available = len(pools.source) - len(picked)
        if available <= 0:
            break
        clock = time.perf_counter()
        chosen = round_strategy(strategy, seed_labels=seed_labels, labels=len(picked),
                                cold_start=config.cold_start,
                                cold_start_labels=config.cold_start_labels).strategy  # fmt: skip
        selection = select_with_details(
            chosen,
            source_emb=features.source.embeddings,
            target_emb=target_emb,
            uncertainty=scores.uncertainty,
            budget=min(increment, available),
            exclude=picked,
            languages=languages,
            k=config.round.k,
            seed=seed * 1_000 + number,
            classes=classes_for(chosen, scores.predictions),
        )
        batch = selection.indices.tolist()
        picked.extend(batch)
        head = fitter.fit(picked)
        scores = fitter.score(head, features.source)
        metrics = _evaluated(config, pools, features, fitter, head)
        counts = Counter(pools.source[i].language for i in batch)
        seconds = time.perf_counter() - clock
        labels = label_counts([pools.source[i] for i in batch], config.round.tag_scheme)
        yield _row(
            config, pools, strategy, seed, number, len(picked), metrics, seconds, counts, labels
        )


def _evaluated(config, pools, features, fitter, head):
    """Test metrics of ``head`` (None without a test set); predictions ride along."""
    if features.test is None:
        return None
    predicted = fitter.score(head, features.test).predictions
    languages = [example.language for example in pools.test]
    scheme = config.round.tag_scheme
    return evaluate(config.task, gold_labels(pools.test), predicted, languages, tag_scheme=scheme)


def _row(
    config, pools, strategy, seed, number, used, metrics, seconds, counts, labels=None
) -> ResultRow:
    task_and_scheme = (config.task, config.round.tag_scheme)
    picked = dict(sorted(counts.items()))
    return metrics_row(
        strategy, seed, number, used, metrics, seconds, picked, pools.test, task_and_scheme, labels
    )
