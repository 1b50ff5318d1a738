"""Map ``simulate``'s command-line arguments to its pools, label schema and settings.

Kept apart from :mod:`demux_lab.cli` so that benches can build the exact pools and
:class:`~demux_lab.simulation.run.SimulationConfig` a ``simulate`` command line would, and so
that the parser module stays small. Heavy modules are imported inside the functions: building
the parser (``--help``) loads no torch.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING

from demux_core.recipes import ENCODER_RATE

if TYPE_CHECKING:
    from demux_core.rounds.types import Pools
    from demux_lab.simulation.config import SimulationConfig


def pools_from_args(args: argparse.Namespace) -> Pools:
    """Read and sample the source, target, test, seed and held-out pools the flags name."""
    from demux_lab.simulation.pools import PoolFiles, load_pools

    return load_pools(
        PoolFiles(
            task=args.task,
            source=tuple(args.source),
            target=args.target_pool,
            test=args.target_test,
            seed=args.seed_set,
            heldout=tuple(args.heldout or ()),
            source_per_language=args.source_per_language,
            target_size=args.target_pool_size,
            test_size=args.test_size,
            seed_size=args.seed_size,
            heldout_size=args.heldout_size,
            disjoint_ids=args.disjoint_ids,
        )
    )


def labels_from_args(args: argparse.Namespace, pools: Pools) -> tuple[str, ...]:
    """``--labels`` if given, else every gold label of the source, test and seed pools, sorted."""
    if args.labels:
        return tuple(part.strip() for part in args.labels.split(",") if part.strip())
    found: set[str] = set()
    for example in [*pools.source, *pools.test, *pools.seed]:
        gold = example.gold
        if gold is None:
            continue
        found.update(gold if isinstance(gold, tuple) else [gold])
    return tuple(sorted(found))


def config_from_args(args: argparse.Namespace, labels: tuple[str, ...]) -> SimulationConfig:
    """The frozen simulation settings; raises ValueError on an inconsistent combination."""
    from demux_core.config import HeadConfig, ScoringConfig
    from demux_core.recipes import round_recipe
    from demux_core.rounds.types import RoundConfig
    from demux_lab.simulation.config import SimulationConfig

    scoring = ScoringConfig(
        aggregation=args.aggregation,
        embedding=args.embedding,
        embedding_layer=args.embedding_layer,
        quantize_int8=args.quantize,
        num_threads=args.threads,
    )
    trained_start = args.seed_set is not None and not args.no_warm_start
    recipe = round_recipe(
        args.task,
        {
            "epochs": args.epochs, "learning_rate": args.lr, "head_learning_rate": args.head_lr,
            "batch_size": args.batch_size, "init_from": args.init_from,
            "seed_replay": args.seed_replay, "seed_replay_ratio": args.seed_replay_ratio,
            "seed_replay_min": args.seed_replay_min, "min_steps": args.min_steps,
            "keep_best": args.keep_best, "warm_start_weight": args.warm_start_weight,
            "min_train_labels": args.min_train_labels, "num_threads": args.threads,
            "warm_epochs": args.warm_epochs, "warm_learning_rate": args.warm_lr,
            "warm_head_learning_rate": args.warm_head_lr, "k": args.k,
            "frozen_layers": args.frozen_layers,
        },
        # the frozen-head recipe never fine-tunes, so it never averages either
        trained_warm_start=trained_start and args.recipe == "fine-tune",
    )  # fmt: skip
    round_config = RoundConfig(
        budget=args.budget,
        k=recipe.k,
        scoring=scoring,
        training=recipe.training,
        tag_scheme=args.tag_scheme,
        engine=args.engine,
        ray_address=args.ray_address,
        margin_calibration=args.margin_calibration,
    )
    warm = replace(round_config, training=recipe.warm_start)
    return SimulationConfig(
        task=args.task,
        labels=labels,
        strategies=args.strategies,
        seeds=args.seeds,
        rounds=args.rounds,
        model=args.model,
        round=round_config,
        warm_start=warm,
        pooling=args.pooling,
        budgets=args.budgets,
        recipe=args.recipe,
        tune_encoder_on_seed=not args.no_warm_start,
        head=HeadConfig(
            regularization=args.head_c,
            pick_weight=args.pick_weight,
            class_balance=args.class_balance,
        ),
        target_fraction=args.target_fraction,
        distance_encoder=args.distance_encoder,
        rescore=args.rescore,
        cold_start=args.cold_start,
        cold_start_labels=args.cold_start_labels,
    )


BODY_RATE = ENCODER_RATE  # "body"


def head_rate(text: str) -> float | str:
    """``--head-lr``: a learning rate, or ``"body"`` for the encoder's rate.

    Raises
    ------
    argparse.ArgumentTypeError
        When ``text`` is neither (argparse reports it with the flag's name).
    """
    if text == BODY_RATE:
        return BODY_RATE
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a learning rate or {BODY_RATE!r}, got {text!r}"
        ) from None
