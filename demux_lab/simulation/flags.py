"""The flags of ``python -m demux_lab simulate``, in three groups: data, experiment, training.

:mod:`demux_lab.simulation.args` maps the parsed flags to pools and settings; building the
parser loads no torch.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from demux_core.cold_start import COLD_START_STRATEGIES, DEFAULT_COLD_START_LABELS
from demux_core.config import INIT_FROM_CHOICES, MARGIN_CALIBRATIONS
from demux_core.recipes import recipe_defaults_text
from demux_lab.simulation.args import head_rate
from demux_lab.simulation.config import DISTANCE_ENCODERS


def ints(text: str) -> tuple[int, ...]:
    """``"10,50,100"`` -> ``(10, 50, 100)``."""
    return tuple(int(part) for part in text.split(",") if part.strip())


def names(text: str) -> tuple[str, ...]:
    """``"knn-uncertainty, random"`` -> ``("knn-uncertainty", "random")``."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add every ``simulate`` flag but ``--out`` and ``--title`` to ``parser``."""
    _add_data_arguments(parser)
    _add_experiment_arguments(parser)
    _add_training_arguments(parser)


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Which files make the pools, and how they are sampled."""
    data = parser.add_argument_group("data (any reader format; language from the folder name)")
    data.add_argument("--task", required=True, choices=("token", "sequence", "pair"))
    data.add_argument("--source", nargs="+", required=True, type=Path, help="labeled source files")
    data.add_argument("--target-pool", required=True, type=Path, help="target-language pool file")
    data.add_argument("--target-test", type=Path, help="labeled target test file")
    data.add_argument("--seed-set", type=Path, help="labeled warm-start file (e.g. English)")
    data.add_argument("--source-per-language", type=int, help="deterministic sample per file")
    data.add_argument("--target-pool-size", type=int)
    data.add_argument("--test-size", type=int)
    data.add_argument("--seed-size", type=int)
    data.add_argument(
        "--heldout",
        nargs="+",
        type=Path,
        help="labeled SOURCE-language file(s) for model selection (--keep-best) and margin "
        "calibration (--margin-calibration vector)",
    )
    data.add_argument("--heldout-size", type=int, help="deterministic sample per held-out file")
    data.add_argument(
        "--disjoint-ids",
        action="store_true",
        help="parallel data (SIB-200/Flores): the seed set, then each source file, sample only "
        "ids no earlier pool (nor the target pool, test or held-out set) uses",
    )
    data.add_argument("--labels", help="comma-separated label schema (default: from the data)")
    data.add_argument("--tag-scheme", default="bio", choices=("bio", "pos"))


def _add_experiment_arguments(parser: argparse.ArgumentParser) -> None:
    """Strategies, seeds, budgets, scoring and where the work runs."""
    run = parser.add_argument_group("experiment")
    run.add_argument("--strategies", type=names, default=("knn-uncertainty", "random"))
    run.add_argument("--seeds", type=ints, default=(0, 1, 2))
    run.add_argument("--budget", type=int, default=50, help="labels per round")
    run.add_argument("--rounds", type=int, default=1)
    run.add_argument(
        "--budgets",
        type=ints,
        default=(),
        help="cumulative labels after each round, e.g. 10,50,100 (overrides --budget/--rounds)",
    )
    run.add_argument(
        "--k",
        type=int,
        default=None,
        help=f"knn strategies' first k (default {recipe_defaults_text('k')})",
    )
    run.add_argument("--model", default=None, help="HF id or folder (default: built-in)")
    run.add_argument("--aggregation", default="min", choices=("min", "mean", "max"))
    run.add_argument(
        "--embedding",
        default="cls",
        choices=("cls", "mean"),
        help="sequence/pair distances: <s> vector or mean of the last layer (token tasks "
        "always use the mean of the words' first sub-words)",
    )
    run.add_argument(
        "--embedding-layer",
        type=int,
        default=None,
        help="encoder layer the distances use: 0 = word embeddings, i = the i-th transformer "
        "layer (default: the last); margins always use the last",
    )
    run.add_argument(
        "--distance-encoder",
        default="current",
        choices=DISTANCE_ENCODERS,
        help="the encoder whose embeddings the distances use: each round's model (default), "
        "the warm start's, kept fixed, or the pre-trained one, kept fixed",
    )
    run.add_argument(
        "--rescore",
        default="all",
        choices=("all", "selected"),
        help="with fixed distances (--distance-encoder warm-start|pretrained), 'selected' "
        "scores only the rows the strategy reads each round, as the app's indexed rounds do",
    )
    run.add_argument(
        "--margin-calibration",
        default="none",
        choices=MARGIN_CALIBRATIONS,
        help="vector: after each round's training, fit one scale and one bias per class on "
        "--heldout and rank by the margins of the calibrated logits (default none)",
    )
    run.add_argument("--pooling", default="mean", choices=("cls", "mean"))
    run.add_argument("--quantize", action="store_true", help="int8 scoring copy (CPU)")
    run.add_argument("--threads", type=int, default=None)
    run.add_argument(
        "--engine",
        default="local",
        choices=("local", "ray"),
        help="score pools in process, or on Ray (pip install -r requirements-scale.txt)",
    )
    run.add_argument("--ray-address", default=None, help="Ray cluster address (default: local)")
    run.add_argument(
        "--target-fraction",
        type=float,
        default=1.0,
        help="share of the target pool each seed sees (seeded sample; frozen-head recipe only)",
    )
    run.add_argument(
        "--cache-dir", type=Path, help="warm starts and encoder features (default: --out)"
    )


def _add_training_arguments(parser: argparse.ArgumentParser) -> None:
    """The warm start and the rounds' fine-tuning."""
    train = parser.add_argument_group("training")
    train.add_argument(
        "--recipe",
        default="fine-tune",
        choices=("fine-tune", "frozen-head"),
        help="fine-tune the model every round, or freeze the warm-started encoder and refit "
        "the head on seed set + labels",
    )
    train.add_argument("--head-c", type=float, default=1.0, help="frozen-head: inverse L2")
    train.add_argument(
        "--pick-weight", type=float, default=1.0, help="frozen-head: weight of a label vs a seed"
    )
    train.add_argument(
        "--class-balance", action="store_true", help="frozen-head: balanced class weights"
    )
    train.add_argument(
        "--warm-epochs",
        type=int,
        default=None,
        help=f"warm-start epochs (default {recipe_defaults_text('warm_epochs')})",
    )
    train.add_argument(
        "--no-warm-start",
        action="store_true",
        help="do not fine-tune the encoder on the seed set (start from the pre-trained one)",
    )
    train.add_argument(
        "--warm-lr",
        type=float,
        default=None,
        help=f"warm-start learning rate (default {recipe_defaults_text('warm_learning_rate')})",
    )
    train.add_argument(
        "--warm-head-lr",
        type=head_rate,
        default=None,
        help="the task head's rate in the warm start, or 'body' (default: --head-lr)",
    )
    train.add_argument("--epochs", type=int, default=3)
    train.add_argument(
        "--lr",
        type=float,
        default=None,
        help=f"round learning rate (default {recipe_defaults_text('round_learning_rate')})",
    )
    train.add_argument(
        "--head-lr",
        type=head_rate,
        default=None,
        help="learning rate of the task head, or 'body' for the encoder's rate (default "
        f"{recipe_defaults_text('head_learning_rate', none='body')})",
    )
    train.add_argument("--batch-size", type=int, default=16)
    train.add_argument(
        "--init-from",
        default="previous",
        choices=INIT_FROM_CHOICES,
        help="each round continues from the last round's model on its new labels (default), "
        "or restarts from the warm start on all labels so far",
    )
    train.add_argument(
        "--seed-replay",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="mix seed examples into every round (default on)",
    )
    train.add_argument(
        "--seed-replay-ratio",
        type=float,
        default=2.0,
        help="replay this many seed examples per label (0 = the whole seed set)",
    )
    train.add_argument(
        "--seed-replay-min",
        type=int,
        default=80,
        help="replay at least this many seed examples per round (default 80; 0 = no floor)",
    )
    train.add_argument(
        "--min-steps",
        type=int,
        default=None,
        help=f"at least this many steps (default {recipe_defaults_text('min_steps')})",
    )
    train.add_argument(
        "--frozen-layers",
        type=int,
        default=None,
        metavar="N",
        help="rounds freeze the embeddings and the bottom N encoder layers and train the rest "
        f"from their cached output (the warm start trains every layer; default "
        f"{recipe_defaults_text('frozen_layers')})",
    )
    train.add_argument(
        "--warm-start-weight",
        type=float,
        default=None,
        metavar="W",
        help="after each round, average the weights with the warm start's: "
        "W * warm + (1 - W) * trained, W in [0, 1), 0 = off "
        f"(default {recipe_defaults_text('warm_start_weight')})",
    )
    train.add_argument(
        "--cold-start",
        choices=COLD_START_STRATEGIES,
        default="off",
        help="without --seed-set: a strategy that reads margins picks with this one until "
        "--cold-start-labels labels exist, as the app does (default off here: runs compare "
        "strategies as named)",
    )
    train.add_argument("--cold-start-labels", type=int, default=DEFAULT_COLD_START_LABELS,
                       metavar="N", help="labels after which the strategy itself picks")  # fmt: skip
    train.add_argument(
        "--min-train-labels",
        type=int,
        default=0,
        metavar="N",
        help="train only once N labels were acquired in all; earlier rounds keep the "
        "model and their labels wait (default 0 = every round trains)",
    )
    train.add_argument(
        "--keep-best",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="keep the best epoch on --heldout, epoch 0 included (needs --heldout)",
    )
