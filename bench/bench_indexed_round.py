"""Old (full) and new (indexed) rounds at growing pool sizes, stage by stage, in one run.

For each source size (MasakhaNER 2.0 demo: Twi target of 300, 5 source languages; the
source cycles through the languages' train sentences when the size exceeds them, each copy
with its own id), a fresh process builds the pool index (timed, sentences/s), fits the fixed
map, then runs the new round (``run_round(fixed=...)``) and, up to ``--old-up-to``, the old
round (every row rescored, map refitted) from the same starting model, with the same labels::

    .venv/bin/python -m bench.bench_indexed_round --sizes 1000,10000,100000 --old-up-to 10000

Prints the machine, the load and a markdown table; the numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import subprocess
import sys
import tempfile
import time

from bench.common import describe_machine, load_average, peak_rss_gib

STAGES = ("training", "evaluating", "scoring", "selecting", "projecting")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="source pool sizes, comma-separated")
    parser.add_argument(
        "--old-up-to", type=int, default=10000, help="largest size the old round runs at"
    )
    parser.add_argument("--labels", type=int, default=20, help="new labels the round trains on")
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--target", type=int, default=300)
    parser.add_argument("--test", type=int, default=300)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    parser.add_argument("--distinct", type=int, default=0,
                        help="cycle the source through only this many distinct sentences and embed "
                        "each distinct sentence once (0: every train sentence, each copy embedded)")  # fmt: skip
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--old", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _pools(size: int, args):
    from demux_core.data.readers.shared_data import shared_data_dir
    from demux_core.rounds.types import Pools
    from service.demo import DEMOS, MASAKHANER, build_demo_pools

    spec = dataclasses.replace(DEMOS[MASAKHANER], per_source_language=0, target_size=args.target,
                               test_size=args.test)  # fmt: skip
    demo = build_demo_pools(spec, shared_data_dir())
    if args.distinct:
        demo = dataclasses.replace(demo, source=demo.source[: args.distinct])
    source = [dataclasses.replace(demo.source[i % len(demo.source)],
                                  id=f"{demo.source[i % len(demo.source)].id}#{i // len(demo.source)}")
              for i in range(size)]  # fmt: skip
    return Pools(source=source, target=demo.target, test=demo.test, seed=demo.seed), demo.labels


def _memo(embed):
    """``embed`` that embeds each distinct token sequence once (the bench's repeated pools)."""
    import numpy as np

    known: dict[tuple, np.ndarray] = {}

    def remembered(examples):
        unique = list(
            {tuple(e.tokens): e for e in examples if tuple(e.tokens) not in known}.values()
        )
        if unique:
            for example, vector in zip(unique, embed(unique), strict=True):
                known[tuple(example.tokens)] = vector
        return np.stack([known[tuple(e.tokens)] for e in examples])

    return remembered


def run_one(args) -> dict:
    """One size in this process: index, map, new round, old round; returns the figures."""
    from demux_core.runtime import prepare_environment

    prepare_environment()
    from demux_core.config import ScoringConfig
    from demux_core.data.labels import with_label
    from demux_core.index import PoolRows, build_pool_index
    from demux_core.index.map import fixed_map
    from demux_core.models import load_tokenizer, resolve_model
    from demux_core.models.task_model import TaskModel
    from demux_core.precision import resolve_precision
    from demux_core.recipes import round_recipe
    from demux_core.rounds.indexed import FixedPools
    from demux_core.rounds.projection import ProjectionConfig
    from demux_core.rounds.round import run_round
    from demux_core.rounds.types import RoundConfig
    from demux_core.scoring.encoder_vectors import encoder_embedder

    pools, labels = _pools(args.one, args)
    folder = args.model or resolve_model(None)
    tokenizer = load_tokenizer(args.model)
    recipe = round_recipe("token", {"device": "cpu", "num_threads": args.threads})
    config = RoundConfig(budget=args.budget, k=recipe.k, training=recipe.training,
                         scoring=ScoringConfig(device="cpu", num_threads=args.threads),
                         projection=ProjectionConfig(max_points=4000, n_epochs=200))  # fmt: skip
    step = max(1, len(pools.source) // args.labels)
    labeled = list(range(0, len(pools.source), step))[: args.labels]
    new = [with_label(pools.source[i], pools.source[i].tags) for i in labeled]
    out = {
        "size": args.one,
        "precision": resolve_precision("auto", "cpu"),
        "load_before": load_average(),
    }

    with tempfile.TemporaryDirectory(prefix="bench-index-") as work:

        def rows(pool):
            return PoolRows(len(pool), lambda a, b: [(e.id, e) for e in pool[a:b]])

        embed = encoder_embedder(folder, "token", labels)
        if args.distinct:  # each distinct sentence once: the copies reuse its vector
            embed = _memo(embed)
        clock = time.perf_counter()
        index = build_pool_index(
            work, "bench", {"source": rows(pools.source), "target": rows(pools.target)}, embed
        )
        out["index_s"] = time.perf_counter() - clock
        out["index_rate"] = (len(pools.source) + len(pools.target)) / out["index_s"]
        out["index_search"] = index.search.kind
        out["peak_index_gib"] = peak_rss_gib()
        clock = time.perf_counter()  # what every later round pays: the check that it is current
        build_pool_index(
            work, "bench", {"source": rows(pools.source), "target": rows(pools.target)}, embed
        )
        out["index_check_s"] = time.perf_counter() - clock
        del embed  # the encoder copy goes, as it does when the app's worker returns
        gc.collect()
        clock = time.perf_counter()
        coords = fixed_map(index)
        out["map_fit_s"] = time.perf_counter() - clock
        fixed = FixedPools(index.vectors["source"], index.vectors["target"], index.search.search,
                           coords["source"], coords["target"])  # fmt: skip
        model = TaskModel.from_pretrained(folder, "token", labels)
        clock = time.perf_counter()
        outcome = run_round(model, tokenizer, pools, config, new_labels=new, exclude=labeled,
                            keep_on_map=labeled, fixed=fixed)  # fmt: skip
        out["new"] = {**outcome.timings, "whole": time.perf_counter() - clock,
                      "scored": int(len(outcome.source_scores.scored))}  # fmt: skip
        out["new_picks"] = outcome.selection.indices.tolist()
        out["peak_new_gib"] = peak_rss_gib()
        if args.old:  # every row rescored, the map refitted, every layer trained
            model = TaskModel.from_pretrained(folder, "token", labels)
            old = dataclasses.replace(
                config, training=dataclasses.replace(config.training, frozen_layers=0)
            )
            clock = time.perf_counter()
            outcome = run_round(model, tokenizer, pools, old, new_labels=new, exclude=labeled,
                                keep_on_map=labeled, distance_embeddings=(fixed.source, fixed.target))  # fmt: skip
            out["old"] = {
                **outcome.timings,
                "whole": time.perf_counter() - clock,
                "scored": len(pools.source),
            }
            out["same_picks"] = outcome.selection.indices.tolist() == out["new_picks"]
            out["pick_overlap"] = len(
                set(outcome.selection.indices.tolist()) & set(out["new_picks"])
            ) / len(out["new_picks"])
    out["load_after"] = load_average()
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.one is not None:
        print("RESULT " + json.dumps(run_one(args)), flush=True)
        return 0
    print(describe_machine(), flush=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, "-m", "bench.bench_indexed_round", "--one", str(size),
                   "--labels", str(args.labels), "--budget", str(args.budget), "--target", str(args.target),
                   "--test", str(args.test), "--threads", str(args.threads), "--distinct", str(args.distinct)]  # fmt: skip
        command += ["--model", args.model] if args.model else []
        command += ["--old"] if size <= args.old_up_to else []
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        line = [row for row in done.stdout.splitlines() if row.startswith("RESULT ")][-1]
        results.append(json.loads(line.removeprefix("RESULT ")))
        print(f"size {size} done: {results[-1]}", flush=True)
    print(table(results))
    return 0


def table(results: list[dict]) -> str:
    """The markdown table of stage seconds (old and new per size)."""
    lines = ["| source rows | round | train | evaluate | score (rows) | select | map | whole round | one-time index (sent/s) | map fit | peak RSS |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        for kind in ("old", "new"):
            if kind not in r:
                continue
            t = r[kind]
            one_time = f"{r['index_s']:.0f} s ({r['index_rate']:.0f})" if kind == "new" else "-"
            if kind == "new" and "index_check_s" in r:
                one_time += f"; check {r['index_check_s']:.1f} s"
            fit = f"{r['map_fit_s']:.1f}" if kind == "new" else "-"
            peak = f"{r['peak_new_gib']:.2f} GiB" if kind == "new" else "-"
            lines.append(
                f"| {r['size']:,} | {kind} | {t.get('training', 0):.1f} | {t.get('evaluating', 0):.1f} | "
                f"{t.get('scoring', 0):.1f} ({t['scored']:,}) | {t.get('selecting', 0):.1f} | "
                f"{t.get('projecting', 0):.1f} | **{t['whole']:.1f}** | {one_time} | {fit} | {peak} |"
            )
    same = [r.get("pick_overlap") for r in results if "pick_overlap" in r]
    lines.append(
        f"\nshare of the new round's picks the old round also picked: {same}; precision {results[0]['precision'] if results else '-'}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
