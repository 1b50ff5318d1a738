"""How scoring and selection time grow with pool size; a table and a log-log plot.

Selection (synthetic, ``--n-target`` x ``--dim`` (384), budget min(1000, n / 2), at
``--sizes``, default 1k to 1M rows): ours knn-uncertainty, one exact faiss k-NN pass, ours
average-dist, and the official torch.cdist method (skipped above ``--official-max`` rows:
its full matrix and int64 sort indices need ~12 bytes x n x m). Scoring (default model or
``--model``, tuned config: sorted + int8 on ``--threads``, MasakhaNER train sentences in
file order) at ``--scoring-sizes``; extra measured points (e.g. the 10k scoring stage of
``bench_round``) can be added with ``--scoring-point N:SECONDS``; 100k is extrapolated
from the two largest measured points (marked so). Run from the repo root::

    .venv/bin/python -m bench.bench_growth --plot docs/growth.png
"""

from __future__ import annotations

import argparse
import math
import os

from bench.common import REPO_ROOT, describe_machine, load_average, round_robin_medians

SELECTION_SIZES = (1_000, 10_000, 100_000, 1_000_000)
NER_LANGUAGES = ("hau", "ibo", "yor", "swa", "kin", "zul", "ewe", "lug", "wol", "luo")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SELECTION_SIZES),
                        help="selection pool sizes")  # fmt: skip
    parser.add_argument("--n-target", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=384, help="selection embedding width")
    parser.add_argument("--repeats", type=int, default=3, help="for pools up to 100k rows")
    parser.add_argument("--official-max", type=int, default=100_000)
    parser.add_argument("--scoring-sizes", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--scoring-point", action="append", default=[], help="N:SECONDS")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="scoring threads")
    parser.add_argument("--model", default=None, help="model folder (default: the built-in model)")
    parser.add_argument("--plot", default=None, help="PNG path for the log-log plot")
    return parser.parse_args(argv)


def selection_rows(
    n_target: int,
    repeats: int,
    official_max: int,
    sizes: tuple[int, ...] = SELECTION_SIZES,
    dim: int = 384,
) -> list[tuple]:
    """(n, method, median seconds) for every selection size and method."""
    import torch

    from bench.bench_selection import BenchConfig, official_knn_uncertainty, synthetic_pools
    from demux_core.selection.neighbors import knn
    from demux_core.selection.strategies import select_with_details

    rows = []
    for n in sizes:
        config = BenchConfig(n, n_target, dim, min(1000, n // 2), 1, repeats, 0, None)
        source, target, margins = synthetic_pools(config)
        common = {"source_emb": source, "target_emb": target, "uncertainty": margins}
        budget = config.budget
        k_used = select_with_details("knn-uncertainty", **common, budget=budget).k_used
        methods = {
            "ours knn-uncertainty": lambda c=common, b=budget: select_with_details(
                "knn-uncertainty", **c, budget=b
            ),
            "one faiss k-NN pass": lambda s=source, t=target, k=k_used: knn(s, t, k),
            "ours average-dist": lambda c=common, b=budget: select_with_details(
                "average-dist", **c, budget=b
            ),
        }
        if n <= official_max:
            methods["official knn-uncertainty"] = lambda s=source, t=target, u=margins, b=budget: (
                official_knn_uncertainty(torch, s, t, u, b, 1)
            )
        timed = round_robin_medians(methods, repeats if n <= 100_000 else 1)
        rows += [(n, name, seconds) for name, (seconds, _, _) in timed.items()]
        print(f"selection n={n}: " + ", ".join(f"{k} {v[0]:.3f}s" for k, v in timed.items()))
        del source, common
    return rows


def scoring_rows(
    sizes: list[int], extra: list[str], model: str | None = None, threads: int | None = None
) -> list[tuple]:
    """(n, "scoring (tuned)", seconds) measured, plus given points and a 100k extrapolation."""
    rows = []
    if sizes:
        rows += measure_scoring(sizes, model, threads or os.cpu_count())
    for point in extra:
        n, seconds = point.split(":")
        rows.append((int(n), "scoring (tuned)", float(seconds)))
    rows.sort()
    if len(rows) >= 2:
        (n1, _, t1), (n2, _, t2) = rows[-2], rows[-1]
        slope = math.log(t2 / t1) / math.log(n2 / n1)
        rows.append((100_000, "scoring (tuned, EXTRAPOLATED)", t2 * (100_000 / n2) ** slope))
    return rows


def measure_scoring(sizes: list[int], model_spec: str | None, threads: int) -> list[tuple]:
    from demux_core.config import ScoringConfig
    from demux_core.data.readers.api import read_examples
    from demux_core.data.readers.shared_data import shared_data_dir
    from demux_core.models import load_tokenizer, resolve_model
    from demux_core.models.task_model import TaskModel
    from demux_core.scoring.pool import score_pool

    data = (shared_data_dir() or REPO_ROOT.parent / "shared" / "data") / "masakhaner2"
    pool = []
    for language in NER_LANGUAGES:
        if (data / language).is_dir() and len(pool) < max(sizes):
            pool += read_examples(data / language / "train.txt")
    labels = sorted({tag for example in pool for tag in example.tags})
    model = TaskModel.from_pretrained(resolve_model(model_spec), "token", labels)
    tokenizer = load_tokenizer(model_spec)
    config = ScoringConfig(device="cpu", quantize_int8=True, num_threads=threads)
    score_pool(model, tokenizer, pool[:8], config, progress=False)  # warm-up
    rows = []
    for n in sizes:
        run = {"s": lambda n=n: score_pool(model, tokenizer, pool[:n], config, progress=False)}
        seconds = round_robin_medians(run, 1)["s"][0]
        print(f"scoring n={n}: {seconds:.1f}s ({n / seconds:.1f} sentences/s)")
        rows.append((n, "scoring (tuned)", seconds))
    return rows


def plot(rows: list[tuple], path: str, n_target: int = 1000, dim: int = 384) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.5))
    for method in sorted({row[1] for row in rows if "EXTRAPOLATED" not in row[1]}):
        points = sorted((n, s) for n, name, s in rows if name == method)
        axis.plot(*zip(*points, strict=True), marker="o", label=method)
    for n, name, seconds in rows:
        if "EXTRAPOLATED" in name:
            axis.plot([n], [seconds], marker="x", linestyle="none", color="k")
            axis.annotate("scoring, extrapolated ", (n, seconds), fontsize=8, ha="right")
    axis.set(xscale="log", yscale="log", xlabel="source pool size n", ylabel="seconds")
    cores = f"{os.cpu_count()}-core CPU"
    axis.set_title(f"Growth with pool size ({cores}; selection: {n_target:,} targets, {dim}-d)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()
    load_before = load_average()
    rows = selection_rows(
        args.n_target, args.repeats, args.official_max, tuple(args.sizes), args.dim
    )
    rows += scoring_rows(args.scoring_sizes, args.scoring_point, args.model, args.threads)
    print(f"\n{describe_machine()}\nload before {load_before}, after {load_average()}\n")
    print("| n | method | seconds |\n|---:|---|---:|")
    for n, method, seconds in sorted(rows, key=lambda row: (row[1], row[0])):
        print(f"| {n:,} | {method} | {seconds:.3f} |")
    if args.plot:
        plot(rows, args.plot, args.n_target, args.dim)
        print(f"\nplot written to {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
