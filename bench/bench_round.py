"""One whole demo round at scale: fine-tune on 200 labels, rescore ~10k source + target
sentences, evaluate, select 50, recompute the 2-D projection. Time per stage and peak RSS.

Uses the MasakhaNER 2.0 demo (Twi target, 5 source languages) with ``--per-language``
sentences per source language (2000 -> a 10k source pool), the default model, CPU. Run::

    .venv/bin/python -m bench.bench_round --per-language 2000 --int8

Prints the stage timings of :func:`demux_core.rounds.round.run_round`, the wall clock of the whole
round and the process's peak RSS (``resource.getrusage``; includes loading the data/model).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from bench.common import describe_machine, load_average, peak_rss_gib

TARGET_SECONDS = 120.0
TARGET_RSS_GIB = 4.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-language", type=int, default=2000)
    parser.add_argument("--labels", type=int, default=200, help="new labels to fine-tune on")
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--int8", action="store_true", help="int8 scoring copy of the model")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--umap-epochs", type=int, default=200)
    parser.add_argument("--map-points", type=int, default=4000)
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    return parser.parse_args(argv)


def build_round(args: argparse.Namespace):
    """Pools, the model, the labeled batch and the round settings."""
    from demux_core.config import ScoringConfig
    from demux_core.data.readers.shared_data import shared_data_dir
    from demux_core.models import load_tokenizer, resolve_model
    from demux_core.models.task_model import TaskModel
    from demux_core.recipes import round_recipe
    from demux_core.rounds.projection import ProjectionConfig
    from demux_core.rounds.types import Pools, RoundConfig
    from service.demo import DEMOS, MASAKHANER, build_demo_pools

    spec = dataclasses.replace(DEMOS[MASAKHANER], per_source_language=args.per_language)
    demo = build_demo_pools(spec, shared_data_dir())
    pools = Pools(source=demo.source, target=demo.target, test=demo.test, seed=demo.seed)
    model_folder = args.model or resolve_model(None)
    model = TaskModel.from_pretrained(model_folder, "token", demo.labels)
    threads = args.threads
    # the round the app runs for this demo: its recipe (k and training) with the CPU settings
    recipe = round_recipe("token", {"k": spec.k, "device": "cpu", "num_threads": threads})
    config = RoundConfig(
        budget=args.budget,
        k=recipe.k,
        scoring=ScoringConfig(device="cpu", quantize_int8=args.int8, num_threads=threads),
        training=recipe.training,
        projection=ProjectionConfig(max_points=args.map_points, n_epochs=args.umap_epochs),
    )
    step = max(1, len(demo.source) // args.labels)
    labeled = list(range(0, len(demo.source), step))[: args.labels]
    tokenizer = load_tokenizer(args.model)  # None: the built-in model's
    return model, tokenizer, pools, config, labeled


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()
    from demux_core.data.labels import with_label
    from demux_core.rounds.round import run_round

    model, tokenizer, pools, config, labeled = build_round(args)
    new_labels = [with_label(pools.source[i], pools.source[i].tags) for i in labeled]
    load_before = load_average()
    started = time.perf_counter()
    outcome = run_round(model, tokenizer, pools, config, new_labels=new_labels, exclude=labeled)
    wall = time.perf_counter() - started
    rss = peak_rss_gib()
    print(f"\n{describe_machine()}\nload before {load_before}, after {load_average()}")
    print(
        f"source {len(pools.source)}, target {len(pools.target)}, test {len(pools.test)}, "
        f"labels {len(new_labels)}, budget {config.budget}, int8 scoring {args.int8}, "
        f"threads {args.threads}, UMAP epochs {args.umap_epochs}, map points {args.map_points}\n"
    )
    print("| stage | seconds | share |\n|---|---:|---:|")
    for stage, seconds in outcome.timings.items():
        print(f"| {stage} | {seconds:.1f} | {100 * seconds / wall:.0f}% |")
    print(f"| **whole round** | **{wall:.1f}** | 100% |")
    n_scored = len(pools.source) + len(pools.target)
    print(f"\nscoring throughput {n_scored / outcome.timings['scoring']:.1f} sentences/s")
    print(f"picked {len(outcome.selection.indices)}; test metrics {outcome.test_metrics}")
    print(
        f"wall {wall:.1f} s (target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if wall < TARGET_SECONDS else 'MISSED'}); peak RSS {rss:.2f} GiB "
        f"(target < {TARGET_RSS_GIB:.0f}: {'met' if rss < TARGET_RSS_GIB else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
