"""Shared helpers of the benchmark scripts: machine description, round-robin medians, peak RSS.

Torch-free and import-safe (nothing runs at import time).
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_average() -> str:
    """``uptime``-style 1/5/15-minute load averages, e.g. ``"2.10 1.95 1.40"``."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def describe_machine() -> str:
    """One line: CPU model, cores, CPU flags that matter for bf16/int8, RAM, load, Python."""
    model, flags = platform.processor() or "?", set()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "Flags":
                flags = set(value.split())
    except OSError:
        pass
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16")
    present = ",".join(flag for flag in wanted if flag in flags) or "none"
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"CPU {model}, {os.cpu_count()} logical cores, flags [{present}], RAM {ram:.1f} GiB, "
        f"load {load_average()}, Python {platform.python_version()}"
    )


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def round_robin_medians(
    methods: dict[str, Callable[[], object]], repeats: int
) -> dict[str, tuple[float, list[float], object]]:
    """Run every method ``repeats`` times, interleaved, so all see the same machine load.

    Returns
    -------
    dict of name to (median seconds, all seconds, last result)
    """
    times: dict[str, list[float]] = {name: [] for name in methods}
    results: dict[str, object] = {}
    for _ in range(repeats):
        for name, run in methods.items():
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(t), t, results[name]) for name, t in times.items()}


def rebuild_run(run_folder: Path, cache_dir: Path):
    """The pools, settings and warm-start folder of a ``simulate`` run, from its settings.json.

    The warm start comes from ``cache_dir`` when the run left it there, else it is trained
    again (same key, same checkpoint settings).

    Returns
    -------
    (Pools, SimulationConfig, Path)
    """
    import json

    from demux_lab.cli import build_parser
    from demux_lab.simulation.args import config_from_args, labels_from_args, pools_from_args
    from demux_lab.simulation.warm_start_cache import warm_start_model

    settings = json.loads((run_folder / "settings.json").read_text(encoding="utf-8"))
    args = build_parser().parse_args(settings["argv"])
    pools = pools_from_args(args)
    config = config_from_args(args, labels_from_args(args, pools))
    return pools, config, warm_start_model(config, pools, cache_dir, show_bars=True)


def warm_start_scores(run_folder: Path, cache_dir: Path):
    """A fine-tune run's pools, settings, warm-start model and tokenizer, and its scores.

    Both pools are scored once with the warm start (round 0 of every run), with the run's
    scoring settings.

    Returns
    -------
    (Pools, SimulationConfig, TaskModel, tokenizer, PoolScores, PoolScores)
        The last two are the source and the target pool's scores.
    """
    from demux_core.models.task_model import TaskModel, load_checkpoint_tokenizer
    from demux_core.rounds.rescore import split_scores
    from demux_core.scoring.pool import score_pool

    pools, config, warm_dir = rebuild_run(run_folder, cache_dir)
    model, tokenizer = TaskModel.load(warm_dir), load_checkpoint_tokenizer(warm_dir)
    both = list(pools.source) + list(pools.target)
    scores = score_pool(model, tokenizer, both, config.round.scoring)
    source, target = split_scores(scores, len(pools.source))
    return pools, config, model, tokenizer, source, target


def write_report(path: Path, text: str) -> None:
    """Write a bench's markdown ``text`` to ``path`` (folders made as needed) and print it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(text)


def run_folder_parser(description: str, run_help: str, out_help: str):
    """The command line of a bench that reads one ``simulate`` run: RUN, --cache-dir, --out."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("run", type=Path, help=run_help)
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/cache"))
    parser.add_argument("--out", type=Path, required=True, help=out_help)
    return parser
