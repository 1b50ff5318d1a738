"""Command line: ``python -m demux_lab simulate|study|stopping|overlap ...``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from demux_core.errors import DemuxError
from demux_lab.simulation.flags import add_simulate_arguments, names


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demux_lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sim = commands.add_parser(
        "simulate",
        help="run a multi-round experiment with a simulated annotator who reveals gold labels",
    )
    add_simulate_arguments(sim)
    sim.add_argument("--out", type=Path, required=True, help="output folder")
    sim.add_argument("--title", default="DeMuX simulation")
    study = commands.add_parser(
        "study", help="tables, paired bootstrap gains and curves over several simulate runs"
    )
    study.add_argument("runs", nargs="+", type=Path, help="simulate --out folders (one per target)")
    study.add_argument("--strategy", default="knn-uncertainty")
    study.add_argument("--baselines", type=names, default=("random", "egalitarian"))
    study.add_argument("--out", type=Path, required=True, help="writes study.md and curves.png")
    study.add_argument("--title", default="DeMuX study")
    study.add_argument(
        "--gain-up-to",
        type=int,
        default=50,
        help="the largest budget of the small-budget mean gain (default 50)",
    )
    study.add_argument(
        "--variant-runs",
        nargs="+",
        type=Path,
        default=[],
        help="runs of one lever, merged by target; their strategies become '<name> (<variant>)'",
    )
    study.add_argument("--variant", default="variant", help="the lever's name, e.g. k=8")
    stop = commands.add_parser(
        "stopping", help="where stopping rules fire over several simulate runs, and their cost"
    )
    stop.add_argument("runs", nargs="+", type=Path, help="simulate --out folders")
    stop.add_argument("--strategies", type=names, default=(), help="default: every one")
    stop.add_argument("--out", type=Path, help="also write the tables to this file")
    over = commands.add_parser(
        "overlap", help="how precisely each share of doubled picks measures kappa (simulated)"
    )
    over.add_argument("--shares", type=floats, default=(0.05, 0.1, 0.2))
    over.add_argument("--budget", type=int, default=20, help="picks per round (default 20)")
    over.add_argument("--rounds", type=ints, default=(5, 10, 20))
    over.add_argument("--classes", type=int, default=7, help="default 7: SIB-200's topics")
    over.add_argument("--accuracy", type=float, default=0.85, help="each annotator's")
    over.add_argument("--draws", type=int, default=2000)
    over.add_argument("--seed", type=int, default=0)
    return parser


def floats(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


def ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def run_overlap(args) -> int:
    from demux_lab.overlap import overlap_markdown

    print(overlap_markdown(args.shares, args.budget, args.rounds, args.classes, args.accuracy,
                           args.draws, args.seed))  # fmt: skip
    return 0


def run_stopping(args) -> int:
    from demux_lab.reporting import read_rows
    from demux_lab.stopping import default_rules, rules_markdown, runs_of

    missing = [str(run) for run in args.runs if not (run / "results.csv").is_file()]
    if missing:
        print(f"error: no results.csv in {', '.join(missing)}", file=sys.stderr)
        return 2
    by_strategy: dict[str, list] = {}
    for folder in args.runs:
        for (strategy, _), rows in runs_of(read_rows(folder / "results.csv")).items():
            if not args.strategies or strategy in args.strategies:
                by_strategy.setdefault(strategy, []).append(rows)
    parts = [f"## {strategy} ({len(runs)} runs: {len(args.runs)} folder(s) x seeds)\n\n"
             + rules_markdown(runs, default_rules()) for strategy, runs in by_strategy.items()]  # fmt: skip
    text = "\n".join(parts)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


def run_study(args) -> int:
    from demux_lab.study.report import plot_study, study_markdown
    from demux_lab.study.study import read_runs

    folders = [*args.runs, *args.variant_runs]
    missing = [str(run) for run in folders if not (run / "predictions.jsonl").is_file()]
    if missing:
        print(f"error: no predictions.jsonl in {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        runs = read_runs(args.runs, args.variant_runs, args.variant)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    text = study_markdown(runs, args.strategy, args.baselines, args.gain_up_to)
    (args.out / "study.md").write_text(text, encoding="utf-8")
    plot_study(runs, args.out / "curves.png", args.title)
    print(text)
    return 0


def simulate(args) -> int:
    from tqdm import tqdm

    from demux_lab.reporting import (
        picks_markdown,
        plot_curves,
        stream_predictions,
        summary_markdown,
        write_rows,
    )
    from demux_lab.simulation.args import config_from_args, labels_from_args, pools_from_args
    from demux_lab.simulation.config import describe
    from demux_lab.simulation.run import run_experiment
    from demux_lab.stopping import stopping_markdown

    pools = pools_from_args(args)
    try:
        config = config_from_args(args, labels_from_args(args, pools))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if config.round.margin_calibration != "none" and not pools.heldout:
        print(
            "error: --margin-calibration vector fits on a labeled held-out set in the source "
            "languages: add --heldout FILE...",
            file=sys.stderr,
        )
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = {
        name: len(getattr(pools, name)) for name in ("source", "target", "test", "seed", "heldout")
    }
    settings = {"sizes": sizes, "config": describe(config), "argv": args.argv}
    (args.out / "settings.json").write_text(json.dumps(settings, indent=2) + "\n")
    total = len(config.strategies) * len(config.seeds) * (len(config.schedule) + 1)
    with tqdm(total=total, desc="simulate", unit="round") as bar:

        def tracked(rows):
            for row in rows:
                bar.update(1)
                bar.set_postfix(strategy=row.strategy, seed=row.seed, value=f"{row.value:.3f}")
                yield row

        experiment = tracked(run_experiment(config, pools, args.out, cache_dir=args.cache_dir))
        if pools.test:
            experiment = stream_predictions(experiment, pools.test, args.out / "predictions.jsonl")
        rows = write_rows(experiment, args.out / "results.csv")
    plot_curves(rows, args.out / "curves.png", args.title)
    summary = summary_markdown(rows)
    summary += "\n" + stopping_markdown(rows)
    for by in ("language", "label"):
        table = picks_markdown(rows, by)
        if table:
            summary += f"\nShare of the picks per source {by} (all seeds and rounds)\n\n{table}"
    (args.out / "summary.md").write_text(summary)
    print(summary)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from demux_core.runtime import prepare_environment

    prepare_environment()
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in settings.json
    try:
        commands = {"study": run_study, "stopping": run_stopping, "simulate": simulate,
                    "overlap": run_overlap}  # fmt: skip
        return commands[args.command](args)
    except DemuxError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
