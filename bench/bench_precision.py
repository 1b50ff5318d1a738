"""bf16 autocast against fp32: speed, and whether the picks survive, on SIB-200 and MasakhaNER.

For each dataset (the app's demo pools: source ``--per-language`` sentences per language,
target ``--target``), a warm start on the demo's seed pool (``--warm-epochs``, so margins are
those of a trained head), then the source and target are scored in fp32 and under bf16
autocast, interleaved ``--repeats`` times. Reported: sentences/s, the Spearman correlation
of the margins, and the overlap of the ``--budget`` picks of knn-uncertainty and of the
lowest margins::

    .venv/bin/python -m bench.bench_precision --per-language 80 --target 100

Also prints which precision ``"auto"`` chooses on this machine (demux_core.precision) and
a 2048 x 2048 matmul's GFLOP/s in both.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from bench.common import describe_machine, load_average


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="sib200,masakhaner2")
    parser.add_argument("--per-language", type=int, default=80)
    parser.add_argument("--target", type=int, default=100)
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--warm-epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--matmul", type=int, default=2048, help="matmul size (0: skip)")
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    return parser.parse_args(argv)


def matmul_gflops(size: int, threads: int) -> dict[str, float]:
    import torch

    torch.set_num_threads(threads)
    out = {}
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
        a @ b
        clock = time.perf_counter()
        for _ in range(3):
            a @ b
        out[name] = 2 * size**3 * 3 / (time.perf_counter() - clock) / 1e9
    return out


def compare(dataset: str, args) -> dict:
    """Scores one demo's pools in both precisions; returns speed and agreement."""
    import numpy as np
    from scipy.stats import spearmanr

    from demux_core.config import ScoringConfig, TrainingConfig
    from demux_core.data.readers.shared_data import shared_data_dir
    from demux_core.models import load_tokenizer
    from demux_core.scoring.pool import score_pool
    from demux_core.selection.strategies import select
    from demux_core.training.round import warm_start
    from service.demo import DEMOS, build_demo_pools

    spec = dataclasses.replace(DEMOS[dataset], per_source_language=args.per_language,
                               target_size=args.target, test_size=0, seed_size=100)  # fmt: skip
    demo = build_demo_pools(spec, shared_data_dir())
    target = demo.target or demo.source[: args.target]
    tokenizer = load_tokenizer(args.model)
    training = TrainingConfig(epochs=args.warm_epochs, learning_rate=1e-4, head_learning_rate=5e-3,
                              device="cpu", num_threads=args.threads, precision="fp32")  # fmt: skip
    model = warm_start(args.model, spec.task, demo.labels, demo.seed, training, tokenizer=tokenizer,
                       progress=False)  # fmt: skip
    pool = list(demo.source) + list(target)
    seconds: dict[str, list[float]] = {"fp32": [], "bf16": []}
    scores = {}
    for _ in range(args.repeats):
        for precision in ("fp32", "bf16"):
            config = ScoringConfig(device="cpu", num_threads=args.threads, precision=precision)
            clock = time.perf_counter()
            scores[precision] = score_pool(model, tokenizer, pool, config, progress=False)
            seconds[precision].append(time.perf_counter() - clock)
    n = len(demo.source)
    picks = {}
    for precision, s in scores.items():
        margins = s.uncertainty[:n]
        knn = select("knn-uncertainty", source_emb=s.embeddings[:n], target_emb=s.embeddings[n:],
                     uncertainty=margins, budget=args.budget, k=4)  # fmt: skip
        picks[precision] = (
            set(knn.tolist()),
            set(np.argsort(margins, kind="stable")[: args.budget].tolist()),
        )
    rho = spearmanr(scores["fp32"].uncertainty, scores["bf16"].uncertainty).statistic
    return {
        "dataset": dataset,
        "rows": len(pool),
        "fp32_rate": len(pool) / float(np.median(seconds["fp32"])),
        "bf16_rate": len(pool) / float(np.median(seconds["bf16"])),
        "spearman": float(rho),
        "knn_overlap": len(picks["fp32"][0] & picks["bf16"][0]) / args.budget,
        "margin_overlap": len(picks["fp32"][1] & picks["bf16"][1]) / args.budget,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()
    from demux_core.precision import resolve_precision

    print(describe_machine())
    print(f"precision 'auto' chooses: {resolve_precision('auto', 'cpu')}")
    if args.matmul:
        rates = matmul_gflops(args.matmul, args.threads)
        print(f"matmul {args.matmul}^2, {args.threads} threads: fp32 {rates['fp32']:.0f} GFLOP/s, "
              f"bf16 {rates['bf16']:.0f} GFLOP/s")  # fmt: skip
    load = load_average()
    rows = [compare(dataset, args) for dataset in args.datasets.split(",")]
    print(f"load before {load}, after {load_average()}; budget {args.budget}\n")
    print("| dataset | rows | fp32 sent/s | bf16 sent/s | bf16 / fp32 | Spearman of margins "
          "| knn-uncertainty picks kept | lowest-margin picks kept |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['dataset']} | {r['rows']} | {r['fp32_rate']:.1f} | {r['bf16_rate']:.1f} | "
              f"{r['bf16_rate'] / r['fp32_rate']:.2f}x | {r['spearman']:.4f} | {r['knn_overlap']:.0%} | "
              f"{r['margin_overlap']:.0%} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
