"""Exact against IVF neighbour search over a pool index: time and recall by pool size.

Synthetic clustered vectors (``--dim``, 64 clusters, seeded) stand in for the encoder's; the
target queries are ``--queries`` points near the pool. For each size the exact search
(``IndexFlatL2``, what rounds use up to ``APPROXIMATE_ABOVE``) and the IVF index that
:func:`demux_core.index.search.build_ivf` builds (``nprobe`` raised until recall >= 0.98)
answer the same queries at ``--width``::

    .venv/bin/python -m bench.bench_index_search --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common import describe_machine, load_average


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    return parser.parse_args(argv)


def vectors(n: int, dim: int, queries: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(64, dim)).astype(np.float32) * 2
    pool = centres[rng.integers(0, 64, n)] + rng.normal(size=(n, dim)).astype(np.float32)
    near = pool[rng.choice(n, queries, replace=False)] + 0.5 * rng.normal(size=(queries, dim))
    return pool.astype(np.float32), near.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from demux_core.runtime import prepare_environment

    prepare_environment()
    import faiss

    from demux_core.index.search import APPROXIMATE_ABOVE, NeighbourSearch, build_ivf, recall_at

    faiss.omp_set_num_threads(args.threads)
    print(describe_machine())
    print(f"rounds switch to IVF above {APPROXIMATE_ABOVE:,} source rows; load {load_average()}\n")
    print("| source rows | exact search s | IVF build s | IVF search s | nprobe | recall@width |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        pool, queries = vectors(n, args.dim, args.queries)
        exact = NeighbourSearch(pool)
        clock = time.perf_counter()
        truth = exact.search(queries, args.width)
        exact_s = time.perf_counter() - clock
        clock = time.perf_counter()
        ivf = build_ivf(lambda p=pool: (p[i : i + 65536] for i in range(0, len(p), 65536)), pool, queries,
                        width=args.width)  # fmt: skip
        build_s = time.perf_counter() - clock
        clock = time.perf_counter()
        found = ivf.search(queries, args.width)
        ivf_s = time.perf_counter() - clock
        recall = recall_at(found, truth)
        print(
            f"| {n:,} | {exact_s:.2f} | {build_s:.1f} | {ivf_s:.3f} | {ivf.nprobe} | {recall:.3f} |"
        )
    print(
        f"\nload after {load_average()}; {args.queries} queries, width {args.width}, dim {args.dim}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
