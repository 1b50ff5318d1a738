"""Scoring throughput of the default model on real SIB-200 and MasakhaNER 2.0 sentences.

``--model`` scores with another model folder instead (e.g. a tiny test model).

Compares, in one process and interleaved (round-robin, median of ``--repeats``):

- ``naive``: batches in file order, fp32, default torch threads (the issue's baseline);
- ``sorted``: batches sorted by length (less padding);
- ``sorted+int8``: plus a dynamically int8-quantised scoring copy of the model;
- ``tuned``: sorted + int8 + ``torch.set_num_threads(--threads)``.

Each configuration scores a SIB-200 pool with a sequence model and a MasakhaNER pool with a
token model (source languages' train splits in file order + a target language's dev split).
It also reports what int8 changes (Spearman of margins, overlap of the knn-uncertainty and
lowest-margin selections at ``--budget``), effective GFLOP/s of the encoder's useful work
(unpadded tokens) and a measured matmul peak (fp32, bf16; ``--matmul`` sets its size). Run
from the repo root::

    .venv/bin/python -m bench.bench_scoring --per-language 48 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass

from bench.common import REPO_ROOT, describe_machine, load_average, round_robin_medians

SIB_SOURCES = ("arb_Arab", "hin_Deva", "swh_Latn")
SIB_TARGET = "amh_Ethi"
NER_SOURCES = ("hau", "ibo", "wol")
NER_TARGET = "twi"


@dataclass(frozen=True)
class TaskPool:
    """One task's pool: examples (source then target, file order), model, tokenizer."""

    name: str
    examples: list
    n_source: int
    model: object
    tokenizer: object


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-language", type=int, default=48, help="sentences per language")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--k", type=int, default=10, help="initial k of knn-uncertainty")
    parser.add_argument("--matmul", type=int, default=1024, help="matmul size of the peak")
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    return parser.parse_args(argv)


def read_pools(per_language: int) -> tuple[list, list]:
    """SIB-200 and MasakhaNER examples: ``per_language`` of each source + of the target."""
    from demux_core.data.readers.api import read_examples
    from demux_core.data.readers.shared_data import shared_data_dir

    data = shared_data_dir() or REPO_ROOT.parent / "shared" / "data"
    sib, ner = [], []
    for language in (*SIB_SOURCES, SIB_TARGET):
        split = "dev" if language == SIB_TARGET else "train"
        sib += read_examples(data / "sib200" / language / f"{split}.tsv")[:per_language]
    for language in (*NER_SOURCES, NER_TARGET):
        split = "dev" if language == NER_TARGET else "train"
        ner += read_examples(data / "masakhaner2" / language / f"{split}.txt")[:per_language]
    return sib, ner


def build_task_pools(per_language: int, model: str | None = None) -> list[TaskPool]:
    from demux_core.models import load_tokenizer, resolve_model
    from demux_core.models.task_model import TaskModel

    tokenizer = load_tokenizer(model)
    folder = resolve_model(model)
    sib, ner = read_pools(per_language)
    sib_labels = sorted({e.label for e in sib})
    ner_labels = sorted({tag for e in ner for tag in e.tags})
    n_source = per_language * 3
    return [
        TaskPool("SIB-200", sib, n_source, TaskModel.from_pretrained(folder, "sequence", sib_labels), tokenizer),
        TaskPool("MasakhaNER", ner, n_source, TaskModel.from_pretrained(folder, "token", ner_labels), tokenizer),
    ]  # fmt: skip


def scoring_configs(batch_size: int, threads: int) -> dict:
    from demux_core.config import ScoringConfig

    base = {"batch_size": batch_size, "device": "cpu"}
    return {
        "naive": ScoringConfig(sort_by_length=False, **base),
        "sorted": ScoringConfig(sort_by_length=True, **base),
        "sorted+int8": ScoringConfig(sort_by_length=True, quantize_int8=True, **base),
        f"tuned (sorted+int8, {threads} threads)": ScoringConfig(
            sort_by_length=True, quantize_int8=True, num_threads=threads, **base
        ),
    }


def encoder_gflop(pool: TaskPool) -> float:
    """Useful forward FLOPs (unpadded tokens) of the encoder over the pool, in GFLOP.

    Per layer and sequence of length L: ``2 L (4 d^2 + 2 d f)`` (projections and MLP) plus
    ``4 L^2 d`` (scores and weighted sum). Embedding look-ups and heads are ignored.
    """
    from demux_core.models.features import encode_examples

    config = pool.model.encoder.config
    d, f, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    features = encode_examples(pool.tokenizer, pool.examples, pool.model.task, max_length=128)
    total = 0.0
    for feature in features:
        length = len(feature.input_ids)
        total += layers * (2 * length * (4 * d * d + 2 * d * f) + 4 * length * length * d)
    return total / 1e9


def matmul_peak_gflops(threads: int, size: int = 1024, repeats: int = 8) -> dict[str, float]:
    """Best GFLOP/s of a square matmul in fp32 and bf16 with ``threads`` torch threads."""
    import torch

    torch.set_num_threads(threads)
    peaks = {}
    for dtype in (torch.float32, torch.bfloat16):
        a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - start)
        peaks[str(dtype).removeprefix("torch.")] = 2 * size**3 / best / 1e9
    return peaks


def selection_agreement(pool: TaskPool, reference, other, budget: int, k: int) -> dict:
    """How much ``other`` scores (int8) change the selections made from ``reference`` (fp32)."""
    from scipy.stats import spearmanr

    from demux_core.selection.strategies import select

    n = pool.n_source
    overlap = {}
    for strategy in ("knn-uncertainty", "uncertainty"):
        picks = [
            set(
                select(
                    strategy,
                    source_emb=s.embeddings[:n],
                    target_emb=s.embeddings[n:],
                    uncertainty=s.uncertainty[:n],
                    budget=budget,
                    k=k,
                ).tolist()
            )
            for s in (reference, other)
        ]
        overlap[strategy] = len(picks[0] & picks[1]) / budget
    rho = spearmanr(reference.uncertainty, other.uncertainty).statistic
    return {"spearman_margins": float(rho), **{f"overlap {s}": v for s, v in overlap.items()}}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()
    import torch

    from demux_core.scoring.pool import score_pool

    default_threads = torch.get_num_threads()
    pools = build_task_pools(args.per_language, args.model)
    configs = scoring_configs(args.batch_size, args.threads)
    for pool in pools:  # warm-up (lazy init, first allocation)
        score_pool(pool.model, pool.tokenizer, pool.examples[:8], progress=False)
    methods = {
        (name, pool.name): (
            lambda c=config, p=pool: score_pool(p.model, p.tokenizer, p.examples, c, progress=False)
        )
        for name, config in configs.items()
        for pool in pools
    }
    load_before = load_average()
    timed = round_robin_medians(methods, args.repeats)
    load_after = load_average()
    gflop = {pool.name: encoder_gflop(pool) for pool in pools}
    peaks = matmul_peak_gflops(args.threads, args.matmul)
    print(f"\n{describe_machine()}\nload before {load_before}, after {load_after}")
    print(
        f"pools: {', '.join(f'{p.name} {len(p.examples)} sentences' for p in pools)}; "
        f"batch {args.batch_size}; default torch threads {default_threads}; "
        f"repeats {args.repeats} (median)\n"
    )
    print_throughput(configs, pools, timed, gflop, peaks)
    print("\nint8 vs fp32 (both sorted):")
    for pool in pools:
        agreement = selection_agreement(
            pool, timed[("sorted", pool.name)][2], timed[("sorted+int8", pool.name)][2],
            min(args.budget, pool.n_source - 1), args.k,
        )  # fmt: skip
        print(f"  {pool.name}: " + ", ".join(f"{k} {v:.3f}" for k, v in agreement.items()))
    return 0


def print_throughput(configs: dict, pools: list[TaskPool], timed: dict, gflop, peaks) -> None:
    """Markdown table: sentences/s per task and combined, speed-up vs naive, GFLOP/s."""
    n_total = sum(len(p.examples) for p in pools)
    naive_total = sum(timed[("naive", p.name)][0] for p in pools)
    print(f"matmul peak ({peaks}) GFLOP/s; useful encoder work {sum(gflop.values()):.1f} GFLOP\n")
    print("| config | " + " | ".join(f"{p.name} sent/s" for p in pools), end="")
    print(" | all sent/s | speed-up vs naive | GFLOP/s | % fp32 peak |")
    print("|---|" + "---:|" * (len(pools) + 4))
    for name in configs:
        seconds = [timed[(name, p.name)][0] for p in pools]
        rates = [len(p.examples) / s for p, s in zip(pools, seconds, strict=True)]
        total = sum(seconds)
        gflops = sum(gflop.values()) / total
        print(
            f"| {name} | " + " | ".join(f"{r:.1f}" for r in rates)
            + f" | {n_total / total:.1f} | {naive_total / total:.2f}x | {gflops:.1f} | "
            f"{100 * gflops / peaks['float32']:.0f}% |"
        )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
