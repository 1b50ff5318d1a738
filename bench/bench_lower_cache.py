"""Rounds with and without the cache of the frozen bottom layers' outputs (SIB-200 demo).

Three rounds of the sentence recipe (8 of 12 layers frozen after the warm start) over the
SIB-200 demo pools, indexed as in the app: round 1 scores and picks, rounds 2 and 3 train on
``--budget`` gold labels of the last picks, evaluate on the test pool, score and pick. Run
once without the cache and once with a cache on disk (a fresh cache object per round, as the
app's worker makes one), from the same starting model::

    .venv/bin/python -m bench.bench_lower_cache --per-language 400 --budget 20

Reports each round's stage times (one run each: read them for the states reused) and whether
both runs picked the same sentences; then, interleaved over ``--repeats`` with the last
round's model, the median time to score what a round scores (its source rows, the target and
test pools) and to train a round (the new labels and the replayed seed) with every layer's
forward pass against the top layers only from the kept states. The rounds start from the
pre-trained encoder with a fresh head: the warm start's quality does not change what is
trained, evaluated or scored, only which rows are picked.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from bench.common import describe_machine, load_average, round_robin_medians


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-language", type=int, default=400, help="source rows per language")
    parser.add_argument("--test-size", type=int, default=None, help="default: the demo's")
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--frozen-layers", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    return parser.parse_args(argv)


def _fixed(model_spec, pools, labels):
    """The pool index's vectors (the pre-trained encoder, mean-pooled) and exact search."""
    from demux_core.index.search import NeighbourSearch
    from demux_core.rounds.indexed import FixedPools
    from demux_core.scoring.encoder_vectors import encoder_embedder

    both = encoder_embedder(model_spec, "sequence", labels)(list(pools.source) + list(pools.target))
    source, target = both[: len(pools.source)], both[len(pools.source) :]
    return FixedPools(source, target, NeighbourSearch(source).search)


def run(args) -> list[dict]:
    from demux_core.runtime import prepare_environment

    prepare_environment()
    from demux_core.config import ScoringConfig
    from demux_core.data.labels import with_label
    from demux_core.data.readers.shared_data import shared_data_dir
    from demux_core.models import load_tokenizer
    from demux_core.models.lower_cache import LowerLayerCache
    from demux_core.models.task_model import TaskModel
    from demux_core.recipes import round_recipe
    from demux_core.rounds.round import run_round
    from demux_core.rounds.types import Pools, RoundConfig
    from service.demo import DEMOS, build_demo_pools

    overrides = {"per_source_language": args.per_language}
    if args.test_size is not None:
        overrides["test_size"] = args.test_size
    spec = dataclasses.replace(DEMOS["sib200"], **overrides)
    demo = build_demo_pools(spec, shared_data_dir())
    pools = Pools(source=demo.source, target=demo.target, test=demo.test, seed=demo.seed)
    tokenizer = load_tokenizer(args.model)
    settings = {"device": "cpu", "num_threads": args.threads}
    if args.frozen_layers is not None:
        settings["frozen_layers"] = args.frozen_layers
    recipe = round_recipe("sequence", settings)
    config = RoundConfig(budget=args.budget, k=recipe.k, training=recipe.training, projection=None,
                         scoring=ScoringConfig(device="cpu", num_threads=args.threads))  # fmt: skip
    fixed = _fixed(args.model, pools, demo.labels)
    start = TaskModel.from_pretrained(args.model, "sequence", demo.labels, seed=0)
    state = {name: tensor.clone() for name, tensor in start.state_dict().items()}
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-lower-") as work:
        warm, folder = Path(work) / "warm-start", Path(work) / "lower-layers"
        start.save(warm, tokenizer=tokenizer)  # the rounds average with it (the recipe's)
        for mode in ("no cache", "cache"):
            start.load_state_dict(state)
            picked: list[int] = []
            for number in range(1, args.rounds + 1):
                new = [with_label(pools.source[i], pools.source[i].gold)
                       for i in picked[-args.budget :]] if number > 1 else []  # fmt: skip
                earlier = [with_label(pools.source[i], pools.source[i].gold)
                           for i in picked[: -args.budget]] if number > 2 else []  # fmt: skip
                cache = LowerLayerCache(folder) if mode == "cache" else None
                clock = time.perf_counter()
                outcome = run_round(start, tokenizer, pools, config, new_labels=new,
                                    earlier_labels=earlier, exclude=picked, fixed=fixed,
                                    warm_start_dir=warm, lower_cache=cache)  # fmt: skip
                seconds = time.perf_counter() - clock
                picks = outcome.selection.indices.tolist()
                picked += picks
                last = (outcome, new + earlier)
                rows.append({"mode": mode, "round": number, "seconds": seconds,
                             "timings": dict(outcome.timings), "picks": picks,
                             "scored": len(outcome.source_scores.scored) + len(pools.target),
                             "hits": None if cache is None else cache.hits,
                             "misses": None if cache is None else cache.misses})  # fmt: skip
        timed = _timed(args, start, tokenizer, pools, config, folder, *last)
    return rows, timed


def _timed(args, model, tokenizer, pools, config, folder, outcome, labeled) -> dict:
    """Median seconds of scoring and training a round, every layer vs. from the kept states."""
    from demux_core.models.layers import encoder_layers
    from demux_core.models.lower_cache import FrozenBottom, LowerLayerCache
    from demux_core.scoring.pool import score_pool
    from demux_core.training.cached import frozen_count
    from demux_core.training.fine_tune import fine_tune
    from demux_core.training.round import training_examples_for_round

    n = frozen_count(config.training.frozen_layers, len(encoder_layers(model)))
    scored = [pools.source[i] for i in outcome.source_scores.scored] + list(pools.target)
    scored += list(pools.test)
    examples = training_examples_for_round(config.training, new_labels=labeled[: args.budget],
                                           earlier_labels=[], seed_examples=pools.seed)  # fmt: skip
    state = {name: tensor.clone() for name, tensor in model.state_dict().items()}

    def train(cache):
        model.load_state_dict(state)
        return fine_tune(model, tokenizer, examples, config.training, progress=False,
                         lower_cache=cache)  # fmt: skip

    methods = {
        "score, every layer": lambda: score_pool(
            model, tokenizer, scored, config.scoring, progress=False
        ),  # fmt: skip
        "score, top layers from the kept states": lambda: score_pool(
            model,
            tokenizer,
            scored,
            config.scoring,
            progress=False,
            frozen_bottom=FrozenBottom(LowerLayerCache(folder), n),
        ),  # fmt: skip
        "train, bottom computed": lambda: train(None),
        "train, bottom from the kept states": lambda: train(LowerLayerCache(folder)),
    }
    return {"rows": len(scored), "examples": len(examples), "frozen": n,
            "medians": round_robin_medians(methods, args.repeats)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(describe_machine())
    load = load_average()
    rows, timed = run(args)
    print(f"load before {load}, after {load_average()}\n")
    print(
        "| round | cache | train s | evaluate s | score s (rows) | whole round s | states reused / computed |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        t = row["timings"]
        reuse = "-" if row["hits"] is None else f"{row['hits']} / {row['misses']}"
        print(f"| {row['round']} | {row['mode']} | {t.get('training', 0):.1f} | "
              f"{t.get('evaluating', 0):.1f} | {t.get('scoring', 0):.1f} ({row['scored']}) | "
              f"{row['seconds']:.1f} | {reuse} |")  # fmt: skip
    plain = [r["picks"] for r in rows if r["mode"] == "no cache"]
    cached = [r["picks"] for r in rows if r["mode"] == "cache"]
    same = sum(len(set(a) & set(b)) for a, b in zip(plain, cached, strict=True))
    print(f"\npicks shared by the two runs: {same} of {sum(len(a) for a in plain)}")
    medians = timed["medians"]
    print(f"\nInterleaved, median of {args.repeats}: scoring {timed['rows']} rows, training on "
          f"{timed['examples']} examples, {timed['frozen']} layers frozen\n")  # fmt: skip
    print("| step | median s | all s | speed-up |")
    print("|---|---:|---:|---:|")
    for plain_name, cached_name in ((0, 1), (2, 3)):
        names = list(medians)
        base = medians[names[plain_name]][0]
        for name in (names[plain_name], names[cached_name]):
            seconds, every, _ = medians[name]
            runs = ", ".join(f"{t:.1f}" for t in every)
            print(f"| {name} | {seconds:.1f} | {runs} | {base / seconds:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
