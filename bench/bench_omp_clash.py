"""The torch/faiss OpenMP clash: the same alternating workload in fresh subprocesses with
``OMP_WAIT_POLICY`` unset, ``PASSIVE`` and ``ACTIVE``.

torch and faiss each bundle an OpenMP runtime. After a parallel region, busy-waiting
threads of one keep spinning while the other runs, so alternating small torch and faiss
calls (as a round does: score, then select) can slow both. The variable must be set before
either library loads, hence one fresh process per measurement. Run from the repo root::

    .venv/bin/python -m bench.bench_omp_clash --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from bench.common import REPO_ROOT, describe_machine, load_average

POLICIES = ("unset", "PASSIVE", "ACTIVE")


def child(iterations: int) -> dict[str, float]:
    """Alternate torch matmuls and faiss searches; seconds spent in each and in total."""
    import faiss
    import numpy as np
    import torch

    rng = np.random.default_rng(0)
    source = rng.normal(size=(20_000, 384)).astype(np.float32)
    queries = rng.normal(size=(100, 384)).astype(np.float32)
    index = faiss.IndexFlatL2(384)
    index.add(source)
    hidden, weight = torch.randn(256, 384), torch.randn(384, 1536)
    spent = {"torch": 0.0, "faiss": 0.0}
    started = time.perf_counter()
    for _ in range(iterations):
        clock = time.perf_counter()
        for _ in range(8):
            torch.mm(hidden, weight)
        spent["torch"] += time.perf_counter() - clock
        clock = time.perf_counter()
        index.search(queries, 10)
        spent["faiss"] += time.perf_counter() - clock
    spent["total"] = time.perf_counter() - started
    return spent


def run_child(policy: str, iterations: int) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
    if policy != "unset":
        env["OMP_WAIT_POLICY"] = policy
    env["PYTHONPATH"] = str(REPO_ROOT)
    command = [sys.executable, "-m", "bench.bench_omp_clash", "--child", str(iterations)]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child)))
        return 0
    runs: dict[str, list[dict[str, float]]] = {policy: [] for policy in POLICIES}
    load_before = load_average()
    for _ in range(args.repeats):
        for policy in POLICIES:
            runs[policy].append(run_child(policy, args.iterations))
    print(f"\n{describe_machine()}\nload before {load_before}, after {load_average()}")
    print(f"{args.iterations} x (8 torch matmuls + 1 faiss search); median of {args.repeats}\n")
    print(
        "| OMP_WAIT_POLICY | torch s | faiss s | total s | vs PASSIVE |\n|---|---:|---:|---:|---:|"
    )
    passive = statistics.median(r["total"] for r in runs["PASSIVE"])
    for policy, results in runs.items():
        medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(
            f"| {policy} | {medians['torch']:.2f} | {medians['faiss']:.2f} | "
            f"{medians['total']:.2f} | {medians['total'] / passive:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
