"""Scale-out benchmark: streaming selection over 1M sources, and scoring local vs Ray.

Usage (from the repo root)::

    .venv/bin/python -m bench.bench_scale selection \
        --n-source 1000000 --n-target 1000 --dim 384
    .venv/bin/python -m bench.bench_scale scoring --n-pool 256

``selection`` streams synthetic source embeddings (generated block by block from a seed,
never held whole) through :func:`select_sharded` for knn-uncertainty and average-dist, and
reports wall time, peak RSS (``getrusage``) and the peak of Python-tracked allocations
(``tracemalloc``, numpy buffers included). ``scoring`` scores a small real SIB-200 pool
with the default model (or the ``--model`` folder) in-process and on a local Ray actor pool
and reports sentences/s. Prints one JSON object per measurement, plus ``uptime`` (the
machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time
import tracemalloc
from pathlib import Path

from demux_core.runtime import prepare_environment  # noqa: E402

prepare_environment()  # before torch or faiss load
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_source(n: int, dim: int, block: int, seed: int):
    """Seeded blocks of clustered float32 points; the same pool on every pass."""
    import numpy as np

    from demux_core.scale.embedding_shards import ShardedEmbeddings

    centres = np.random.default_rng(seed).normal(size=(64, dim)).astype(np.float32)

    def open_pass():
        for number, start in enumerate(range(0, n, block)):
            rng = np.random.default_rng((seed, number))
            rows = min(block, n - start)
            noise = rng.normal(scale=0.5, size=(rows, dim)).astype(np.float32)
            yield centres[rng.integers(0, 64, rows)] + noise

    return ShardedEmbeddings(n, dim, open_pass), centres


def bench_selection(args: argparse.Namespace) -> None:
    import numpy as np

    from demux_lab.sharded_selection import ShardedSelectionSettings, select_sharded

    source, centres = synthetic_source(args.n_source, args.dim, args.shard_rows, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    target = centres[rng.integers(0, 8, args.n_target)] + rng.normal(
        scale=0.5, size=(args.n_target, args.dim)
    ).astype(np.float32)
    margins = rng.random(args.n_source).astype(np.float32)
    settings = ShardedSelectionSettings(chunk_rows=args.chunk_rows)
    print(json.dumps({"uptime_before": _uptime()}), flush=True)
    for strategy in args.strategies:
        tracemalloc.start()
        started = time.perf_counter()
        picked = select_sharded(
            strategy,
            source=source,
            target_emb=target,
            uncertainty=margins,
            budget=args.budget,
            settings=settings,
        )
        seconds = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        record = {
            "strategy": strategy,
            "n_source": args.n_source,
            "n_target": args.n_target,
            "dim": args.dim,
            "budget": args.budget,
            "k_used": picked.k_used,
            "seconds": round(seconds, 1),
            "traced_peak_mib": round(traced_peak / 2**20, 1),
            "peak_rss_mib": round(_peak_rss_mib(), 1),
            "uptime": _uptime(),
        }
        print(json.dumps(record), flush=True)


def _score_once(engine: str, model, tokenizer, pool, config, work_dir: Path, num_actors: int):
    from demux_core.scale.engine import score_pool_with_engine

    started = time.perf_counter()
    score_pool_with_engine(
        model,
        tokenizer,
        pool,
        config,
        engine=engine,
        num_actors=num_actors,
        cpus_per_actor=0.5,
        work_dir=work_dir if engine == "ray" else None,
        rows_per_shard=64,
    )
    return time.perf_counter() - started


def bench_scoring_engines(args: argparse.Namespace) -> None:
    import tempfile

    from transformers import AutoTokenizer

    from demux_core.config import ScoringConfig
    from demux_core.data.readers.shared_data import read_sib200, sib200_labels
    from demux_core.models.convert import ensure_default_model
    from demux_core.models.task_model import TaskModel
    from demux_core.scale.ray_scoring import RaySettings, connect_ray

    model_dir = args.model or ensure_default_model(show_progress=False)
    model = TaskModel.from_pretrained(model_dir, "sequence", sib200_labels(), seed=0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    languages = ("eng_Latn", "fra_Latn", "hau_Latn", "amh_Ethi")
    pool = [e for lang in languages for e in read_sib200(lang, "train")][: args.n_pool]
    config = ScoringConfig(batch_size=32, device="cpu")
    print(json.dumps({"uptime_before": _uptime(), "n_pool": len(pool)}), flush=True)
    seconds = _score_once("local", model, tokenizer, pool, config, Path("."), 1)
    print(
        json.dumps(
            {
                "engine": "local",
                "seconds": round(seconds, 1),
                "sentences_per_s": round(len(pool) / seconds, 1),
                "uptime": _uptime(),
            }
        ),
        flush=True,
    )
    started = time.perf_counter()
    connect_ray(RaySettings())
    init_seconds = time.perf_counter() - started
    for repeat in range(2):  # the first run includes actor start-up and model loading
        with tempfile.TemporaryDirectory() as work:
            seconds = _score_once(
                "ray", model, tokenizer, pool, config, Path(work), args.num_actors
            )
        print(
            json.dumps(
                {
                    "engine": "ray",
                    "run": repeat,
                    "num_actors": args.num_actors,
                    "ray_init_seconds": round(init_seconds, 1),
                    "seconds": round(seconds, 1),
                    "sentences_per_s": round(len(pool) / seconds, 1),
                    "uptime": _uptime(),
                }
            ),
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("selection", "scoring"))
    parser.add_argument("--n-source", type=int, default=1_000_000)
    parser.add_argument("--n-target", type=int, default=1_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--budget", type=int, default=1_000)
    parser.add_argument("--shard-rows", type=int, default=50_000)
    parser.add_argument("--chunk-rows", type=int, default=65_536)
    parser.add_argument("--strategies", nargs="+", default=["knn-uncertainty", "average-dist"])
    parser.add_argument("--n-pool", type=int, default=256)
    parser.add_argument("--num-actors", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, default=None,
                        help="scoring: model folder (default: the built-in model)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.part == "selection":
        bench_selection(args)
    else:
        bench_scoring_engines(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
