"""One DeMuX round, store-agnostic: learn from the labels, rescore the pools, evaluate, select.

Both the simulation CLI (labels revealed from gold) and the app's background worker (labels
from annotators, everything written to the project store) drive rounds through
:func:`run_round`. The order inside a round is::

    train (when there are new labels)  ->  evaluate on test  ->  [fit the margin
    calibration on the held-out set]  ->  score source + target  ->  select the next batch
    ->  project the pools to 2-D for the map

With a pool index (``fixed``), scoring covers only the rows selection reads and the map is
the index's fixed layout (:mod:`demux_core.rounds.indexed`). Progress is reported as
``progress(stage, fraction)`` with ``stage`` one of :data:`STAGES`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from demux_core.data.examples import Example
from demux_core.errors import DemuxError
from demux_core.models.layers import encoder_layers
from demux_core.models.lower_cache import FrozenBottom, LowerLayerCache
from demux_core.models.task_model import TaskModel
from demux_core.rounds.indexed import FixedPools, score_and_select
from demux_core.rounds.model_eval import evaluate_model
from demux_core.rounds.projection import project_pools
from demux_core.rounds.rescore import (
    full_pearson,
    select_next,
    split_scores,
    with_distance_embeddings,
)
from demux_core.rounds.types import Pools, RoundConfig, RoundOutcome
from demux_core.scoring.heldout import fit_margin_scaling
from demux_core.scoring.pool import PoolScores, score_pool
from demux_core.training.cached import frozen_count
from demux_core.training.fine_tune import fine_tune
from demux_core.training.round import average_with_warm_start, training_examples_for_round

STAGES = ("training", "evaluating", "scoring", "selecting", "projecting")
Progress = Callable[[str, float], None]


def _scaled(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done / max(total, 1))


def run_round(
    model: TaskModel,
    tokenizer,
    pools: Pools,
    config: RoundConfig,
    *,
    new_labels: Sequence[Example] = (),
    earlier_labels: Sequence[Example] = (),
    exclude: Sequence[int] = (),
    keep_on_map: Sequence[int] = (),
    warm_start_dir: str | Path | None = None,
    progress: Progress | None = None,
    show_bars: bool = False,
    rescore: bool = True,
    distance_embeddings: tuple[np.ndarray, np.ndarray] | None = None,
    fixed: FixedPools | None = None,
    lower_cache: LowerLayerCache | None = None,
) -> RoundOutcome:
    """Run one round and return everything it produced (nothing is written anywhere).

    Parameters
    ----------
    model : TaskModel
        The model the round starts from (the last round's, or the warm start).
    tokenizer : transformers fast tokenizer
    pools : Pools
    config : RoundConfig
    new_labels : sequence of Example
        Labeled copies (:func:`with_label`) of the points annotated since the last training.
        With none, or fewer labels in all than ``config.training.min_train_labels``, the
        round only scores and selects (``RoundOutcome.trained`` is False).
    earlier_labels : sequence of Example
        Labeled copies of points annotated in earlier rounds.
    exclude : sequence of int
        Source positions never to pick again (every point already selected).
    keep_on_map : sequence of int
        Source positions the map must show (all picks so far); the new picks are added.
    warm_start_dir : str or Path, optional
        Checkpoint to restart from when ``config.training.init_from == "warm_start"``, and
        to average with when ``config.training.warm_start_weight > 0`` (then required).
    progress : callable(stage, fraction), optional
    show_bars : bool
        tqdm bars (CLI); the app reports through ``progress`` instead.
    rescore : bool
        False skips scoring, selection and projection (a simulation's last round only needs
        the trained model and its test metrics).
    distance_embeddings : (np.ndarray, np.ndarray) or None
        Source (n_source, d) and target (n_target, d) float32 embeddings that replace the
        round's own in its scores (so in selection, diagnostics and map): a fixed encoder's.
        Margins and predictions stay the round's.
    fixed : FixedPools or None
        A pool index: its vectors give the distances and its search the neighbours, only
        the rows selection reads are scored, and the map is the index's fixed layout
        (:mod:`demux_core.rounds.indexed`). None: every row is rescored and the map refitted.
    lower_cache : LowerLayerCache or None
        With ``config.training.frozen_layers``: training, evaluation and local scoring take
        the frozen bottom layers' outputs from it and run only the top layers (a project
        keeps one on disk for all its rounds; the bottom is frozen after the warm start).
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    if config.margin_calibration == "vector" and rescore and not pools.heldout:
        raise DemuxError(
            "margin_calibration='vector' fits the margins on a labeled held-out set in the "
            "source languages, but the pools have none (simulate: --heldout FILE...)"
        )
    acquired = len(new_labels) + len(earlier_labels)
    trains = bool(new_labels) and acquired >= config.training.min_train_labels
    if trains:
        weight = config.training.warm_start_weight
        if weight > 0 and warm_start_dir is None:
            raise DemuxError(
                f"warm_start_weight={weight} averages each round with the warm start, "
                "but no warm-start checkpoint was given (warm_start_dir)"
            )
        if config.training.init_from == "warm_start" and warm_start_dir is not None:
            model = TaskModel.load(warm_start_dir)
        examples = training_examples_for_round(
            config.training,
            new_labels=new_labels,
            earlier_labels=earlier_labels,
            seed_examples=pools.seed,
        )
        heldout_score = None
        if config.training.keep_best and pools.heldout:

            def heldout_score(candidate: TaskModel) -> float:
                return evaluate_model(candidate, tokenizer, pools.heldout, config).main

        fine_tune(
            model,
            tokenizer,
            examples,
            config.training,
            progress=show_bars,
            progress_callback=_scaled(progress, "training"),
            heldout_score=heldout_score,
            lower_cache=lower_cache,
        )
        if weight > 0:
            average_with_warm_start(model, TaskModel.load(warm_start_dir), weight)
        timings["training"] = time.perf_counter() - clock

    frozen_bottom = _frozen_bottom(model, config, lower_cache)
    metrics = None
    if pools.test:
        clock = time.perf_counter()
        if progress:
            progress("evaluating", 0.0)
        metrics = evaluate_model(model, tokenizer, pools.test, config, show_bars, frozen_bottom)
        timings["evaluating"] = time.perf_counter() - clock
    if not rescore:
        return RoundOutcome(model, None, None, metrics, None, None, None, timings, trains)

    clock = time.perf_counter()
    if config.margin_calibration == "vector":
        scaling = fit_margin_scaling(model, tokenizer, pools.heldout, config.scoring)
        config = replace(config, scoring=replace(config.scoring, margin_scaling=scaling))
    if fixed is not None:
        return _indexed_round(model, tokenizer, pools, config, fixed, exclude, keep_on_map,
                              metrics, timings, trains, clock, progress, show_bars,
                              frozen_bottom)  # fmt: skip
    both = list(pools.source) + list(pools.target)
    scores = _score(model, tokenizer, both, config, show_bars, _scaled(progress, "scoring"),
                    frozen_bottom)  # fmt: skip
    source_scores, target_scores = split_scores(scores, len(pools.source))
    source_scores, target_scores = with_distance_embeddings(
        source_scores, target_scores, distance_embeddings, pools
    )
    timings["scoring"] = time.perf_counter() - clock

    clock = time.perf_counter()
    if progress:
        progress("selecting", 0.0)
    selection = select_next(source_scores, target_scores, pools, exclude, config)
    pearson = full_pearson(source_scores, target_scores, config.diagnostic_k)
    timings["selecting"] = time.perf_counter() - clock

    map_points = None
    if config.projection is not None:
        clock = time.perf_counter()
        if progress:
            progress("projecting", 0.0)
        picks = list(keep_on_map) + ([] if selection is None else selection.indices.tolist())
        map_points = project_pools(
            source_scores.embeddings, target_scores.embeddings, picks, config.projection
        )
        timings["projecting"] = time.perf_counter() - clock

    return RoundOutcome(
        model, source_scores, target_scores, metrics, selection, pearson, map_points, timings,
        trains,
    )  # fmt: skip


def _indexed_round(
    model,
    tokenizer,
    pools,
    config,
    fixed,
    exclude,
    keep_on_map,
    metrics,
    timings,
    trains,
    clock,
    progress,
    show_bars,
    frozen_bottom,
) -> RoundOutcome:
    scoring = [0.0]

    def score(examples):
        started = time.perf_counter()
        scores = _score(model, tokenizer, examples, config, show_bars, _scaled(progress, "scoring"),
                        frozen_bottom)  # fmt: skip
        scoring[0] += time.perf_counter() - started
        return scores

    source, target, selection, pearson, map_points = score_and_select(
        score, pools, config, fixed, exclude, keep_on_map
    )
    timings["scoring"] = scoring[0]
    timings["selecting"] = time.perf_counter() - clock - scoring[0]
    return RoundOutcome(model, source, target, metrics, selection, pearson, map_points, timings,
                        trains)  # fmt: skip


def _frozen_bottom(
    model: TaskModel, config: RoundConfig, cache: LowerLayerCache | None
) -> FrozenBottom | None:
    """Where local scoring takes the frozen bottom layers' outputs from (None: nowhere)."""
    if cache is None or config.training.frozen_layers == 0 or config.engine != "local":
        return None
    n = frozen_count(config.training.frozen_layers, len(encoder_layers(model)))
    return FrozenBottom(cache, n) if n > 0 else None


def _score(model, tokenizer, examples, config: RoundConfig, show_bars, callback,
           frozen_bottom: FrozenBottom | None = None) -> PoolScores:  # fmt: skip
    if config.engine == "local":
        return score_pool(
            model,
            tokenizer,
            examples,
            config.scoring,
            progress=show_bars,
            progress_callback=callback,
            frozen_bottom=frozen_bottom,
        )
    from demux_core.scale.engine import score_pool_with_engine

    return score_pool_with_engine(
        model, tokenizer, examples, config.scoring, engine="ray", ray_address=config.ray_address
    )
