"""Where a simulation would have stopped: the stabilising-predictions signal per run.

Each result row carries ``target_kappa``, the agreement of the round's target predictions
with the round before's. :func:`stop_points` applies the app's rule
(:func:`demux_core.rounds.stability.stopping_round`) to every run (strategy, seed) and
:func:`stopping_markdown` reports, per run, the round it fires at, the test score there, the
last round's score, and the labels stopping there would have saved.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from demux_core.rounds.stability import DEFAULT_KAPPA, DEFAULT_WINDOW, stopping_round
from demux_lab.simulation.result_rows import ResultRow


@dataclass(frozen=True)
class StopPoint:
    """Where one run (strategy, seed) would have stopped (``round`` None: never)."""

    strategy: str
    seed: int
    round: int | None
    labels_at_stop: int | None
    value_at_stop: float | None
    last_labels: int
    last_value: float


def stop_points(
    rows: Sequence[ResultRow], threshold: float = DEFAULT_KAPPA, window: int = DEFAULT_WINDOW
) -> list[StopPoint]:
    """The stopping round of every run in ``rows`` (runs in first-seen order)."""
    runs: dict[tuple[str, int], list[ResultRow]] = defaultdict(list)
    for row in rows:
        runs[(row.strategy, row.seed)].append(row)
    points = []
    for (strategy, seed), run in runs.items():
        run = sorted(run, key=lambda row: row.round)
        kappas = [(row.round, row.target_kappa) for row in run if not math.isnan(row.target_kappa)]
        stop = stopping_round(kappas, threshold, window) if kappas else None
        at = next((row for row in run if row.round == stop), None)
        points.append(StopPoint(strategy, seed, stop, at and at.budget_used, at and at.value,
                                run[-1].budget_used, run[-1].value))  # fmt: skip
    return points


def stopping_markdown(
    rows: Sequence[ResultRow], threshold: float = DEFAULT_KAPPA, window: int = DEFAULT_WINDOW
) -> str:
    """A table: per run, where the signal fires and what stopping there would have cost."""
    lines = [f"Stopping signal (mean kappa of the target predictions with the round before "
             f"over {window} rounds >= {threshold})\n",
             "| strategy | seed | stops at round | labels then | score then | last round's "
             "labels | last score | labels saved |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for point in stop_points(rows, threshold, window):
        if point.round is None:
            lines.append(f"| {point.strategy} | {point.seed} | never | | | {point.last_labels} "
                         f"| {100 * point.last_value:.1f} | 0 |")  # fmt: skip
            continue
        lines.append(f"| {point.strategy} | {point.seed} | {point.round} | {point.labels_at_stop} "
                     f"| {100 * point.value_at_stop:.1f} | {point.last_labels} | "
                     f"{100 * point.last_value:.1f} | {point.last_labels - point.labels_at_stop} |")  # fmt: skip
    return "\n".join(lines) + "\n"
