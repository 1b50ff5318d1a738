"""Why the first round of a few labels costs points: training-recipe variants on one round.

Rebuilds fine-tuning runs from their ``settings.json`` (the same pools and the cached warm
start), scores the pools once with the warm start (the zero-shot model), picks the first
round's labels with each strategy and seed exactly as ``simulate`` does, and then trains one
round from the warm start with each recipe variant and scores the target test set. One of
the variants is a control that trains on the replayed seed examples alone (no new labels):
if it loses as much as the real round, the loss comes from the optimisation, not from the
labels.

Reports, per (target, strategy, variant), the seed mean and its change from zero-shot with a
paired 95 % bootstrap interval over the test examples (the same resampled test sets for the
zero-shot model and every seed), and writes the raw figures to a JSON file beside the table::

    .venv/bin/python -m bench.first_round runs/default/sib-{amh_Ethi,yor_Latn,quy_Latn}-s0 \\
        --seeds 0,1,2 --budget 10 --out docs/results/first-round/sib.md
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Variant:
    """One way to train the first round: a change to the run's TrainingConfig.

    ``labels=False`` trains on the replayed seed examples only (the control).
    """

    name: str
    change: Callable
    labels: bool = True


VARIANTS = {
    "default": Variant("the run's recipe", lambda c: c),
    "replay-only": Variant("replayed seed examples only (no new labels)", lambda c: c, False),
    "lr/4": Variant("learning rate / 4", lambda c: replace(c, learning_rate=c.learning_rate / 4)),
    "replay-x8": Variant("replay x8", lambda c: replace(c, seed_replay_ratio=8.0)),
    "warmup-0.5": Variant("warm-up over half the steps", lambda c: replace(c, warmup_ratio=0.5)),
    "1-epoch": Variant("1 epoch", lambda c: replace(c, epochs=1)),
    "min-steps-30": Variant("at least 30 steps", lambda c: replace(c, min_steps=30)),
    "replay-min-80": Variant(
        "replay at least 80 seed examples", lambda c: replace(c, seed_replay_min=80)
    ),
    "lr/4+replay-min-80": Variant(
        "learning rate / 4 and replay at least 80",
        lambda c: replace(c, learning_rate=c.learning_rate / 4, seed_replay_min=80),
    ),
}


# Round settings whose defaults changed after runs were made: taken from the run's
# settings.json (files older than seed_replay_min did not record it; it was 0 then).
RECORDED_FIELDS = ("learning_rate", "seed_replay_min")


def rebuild(run_folder: Path, cache_dir: Path):
    """Pools, simulation config and warm-start folder of a fine-tuning run.

    The round's training settings are the ones recorded in ``settings.json`` (not today's
    defaults), so "the run's recipe" stays the recipe the run used.
    """
    from demux_lab.cli import build_parser
    from demux_lab.simulation.args import config_from_args, labels_from_args, pools_from_args
    from demux_lab.simulation.warm_start_cache import warm_start_model

    settings = json.loads((run_folder / "settings.json").read_text(encoding="utf-8"))
    args = build_parser().parse_args(settings["argv"])
    pools = pools_from_args(args)
    config = config_from_args(args, labels_from_args(args, pools))
    recorded = {"seed_replay_min": 0, **settings["config"]["round"]["training"]}
    kept = {name: recorded[name] for name in RECORDED_FIELDS}
    training = replace(config.round.training, **kept)
    config = replace(config, round=replace(config.round, training=training))
    return pools, config, warm_start_model(config, pools, cache_dir, show_bars=True)


def first_round(run_folder, cache_dir, seeds, strategies, variants, budget) -> dict:
    """Zero-shot and one-round predictions of every (strategy, seed, variant) of one target."""
    from demux_core.data.labels import with_label
    from demux_core.models.task_model import TaskModel, load_checkpoint_tokenizer
    from demux_core.rounds.model_eval import evaluate_model
    from demux_core.rounds.rescore import select_next
    from demux_core.rounds.round import run_round
    from demux_core.training.fine_tune import fine_tune
    from demux_core.training.round import replay_sample, training_examples_for_round

    pools, config, warm_dir = rebuild(run_folder, cache_dir)
    tokenizer = load_checkpoint_tokenizer(warm_dir)
    round_config = replace(config.round, projection=None, budget=budget)
    shared = run_round(TaskModel.load(warm_dir), tokenizer, pools, round_config)
    target = pools.target[0].language
    result = {
        "target": target,
        "task": config.task,
        "tag_scheme": config.round.tag_scheme,
        "gold": [list(g) if isinstance(g, tuple) else g for g in (e.gold for e in pools.test)],
        "zero_shot": _record(shared.test_metrics),
        "runs": [],
    }
    for strategy in strategies:
        for seed in seeds:
            picked = replace(round_config, strategy=strategy, seed=seed)
            selection = select_next(shared.source_scores, shared.target_scores, pools, (), picked)
            new = [with_label(pools.source[i], pools.source[i].gold) for i in selection.indices]
            for key in variants:
                variant = VARIANTS[key]
                training = variant.change(replace(config.round.training, seed=seed))
                if variant.labels:
                    examples = training_examples_for_round(
                        training, new_labels=new, seed_examples=pools.seed
                    )
                else:
                    examples = replay_sample(pools.seed, len(new), training)
                model = TaskModel.load(warm_dir)
                clock = time.perf_counter()
                trained = fine_tune(model, tokenizer, examples, training, progress=False)
                metrics = evaluate_model(model, tokenizer, pools.test, round_config)
                row = {"strategy": strategy, "seed": seed, "variant": key, "steps": trained.steps}
                row.update(_record(metrics), seconds=round(time.perf_counter() - clock, 1))
                result["runs"].append(row)
                print(
                    f"{target} {strategy} seed {seed} {key}: {metrics.main:.4f} "
                    f"({trained.steps} steps, {row['seconds']} s)",
                    flush=True,
                )
    return result


def _record(metrics) -> dict:
    predictions = [list(p) if isinstance(p, tuple) else p for p in metrics.predictions]
    return {"value": metrics.main, "predictions": predictions}


def change_rows(result: dict) -> list[dict]:
    """Seed-mean change from zero-shot per (strategy, variant), paired bootstrap CI, x100.

    The resampled test sets are the study's (:mod:`demux_lab.study.study`), shared by the zero-shot
    model and every seed.
    """
    from demux_core.data.examples import TaskType
    from demux_core.rounds.evaluation import resampled_main
    from demux_lab.study.study import bootstrap_interval, bootstrap_weights

    task, scheme = TaskType(result["task"]), result["tag_scheme"]
    gold = [tuple(g) if isinstance(g, list) else g for g in result["gold"]]

    def as_tuples(predictions):
        return [tuple(p) if isinstance(p, list) else p for p in predictions]

    weights = bootstrap_weights(len(gold))
    zero = resampled_main(
        gold, as_tuples(result["zero_shot"]["predictions"]), task, weights, scheme
    )
    groups: dict[tuple[str, str], list[dict]] = {}
    for run in result["runs"]:
        groups.setdefault((run["strategy"], run["variant"]), []).append(run)
    rows = []
    for (strategy, variant), runs in groups.items():
        resampled = [
            resampled_main(gold, as_tuples(r["predictions"]), task, weights, scheme) for r in runs
        ]
        change = np.mean(resampled, axis=0) - zero
        values = [r["value"] for r in runs]
        rows.append(
            {
                "target": result["target"],
                "strategy": strategy,
                "variant": variant,
                "mean": 100 * float(np.mean(values)),
                "change": 100 * (float(np.mean(values)) - result["zero_shot"]["value"]),
                "ci": tuple(100 * q for q in bootstrap_interval(change)),
                "drops": sum(v < result["zero_shot"]["value"] for v in values),
                "seeds": len(values),
                "steps": runs[0]["steps"],
            }
        )
    return rows


def markdown(results: list[dict]) -> str:
    """One table: every target, strategy and variant."""
    lines = [
        "| target | strategy | variant | steps | seed mean | change from zero-shot [95 % CI] "
        "| seeds below zero-shot |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        zero = 100 * result["zero_shot"]["value"]
        lines.append(f"| {result['target']} | (zero-shot) | | 0 | {zero:.1f} | | |")
        for row in change_rows(result):
            low, high = row["ci"]
            lines.append(
                f"| {row['target']} | {row['strategy']} | {VARIANTS[row['variant']].name} "
                f"| {row['steps']} | {row['mean']:.1f} | {row['change']:+.1f} "
                f"[{low:+.1f}, {high:+.1f}] | {row['drops']}/{row['seeds']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="fine-tuning run folders")
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/cache"))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--strategies", default="random,knn-uncertainty")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--budget", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True, help="markdown table (+ .json)")
    args = parser.parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()  # before torch and faiss load
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    strategies = args.strategies.split(",")
    results = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for run in args.runs:
        results.append(first_round(run, args.cache_dir, seeds, strategies, variants, args.budget))
        args.out.with_suffix(".json").write_text(json.dumps(results) + "\n", encoding="utf-8")
    args.out.write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
