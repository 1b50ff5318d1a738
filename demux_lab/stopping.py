"""Where a simulation would have stopped, by the stabilising-predictions signal and by simpler
rules, and what each stop would have cost.

Each result row carries ``target_kappa`` (agreement of the round's target predictions with the
round before's) and ``target_mean_margin``. :func:`stop_points` applies a stopping rule to
every run (strategy, seed); the default rule is the app's
(:func:`demux_core.rounds.stability.stopping_round`). :func:`stopping_markdown` reports one
summary's per-run table; :func:`rules_markdown` compares rules over many runs (the study
behind the app's defaults, ``python -m demux_lab stopping``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from demux_core.rounds.stability import DEFAULT_KAPPA, DEFAULT_WINDOW, stopping_round
from demux_lab.simulation.result_rows import ResultRow

# A rule reads one run's rows (round order, zero-shot row included) and gives its stop round.
Rule = Callable[[Sequence[ResultRow]], "int | None"]


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


def kappa_rule(threshold: float = DEFAULT_KAPPA, window: int = DEFAULT_WINDOW) -> Rule:
    """The app's rule: the mean kappa of the last ``window`` rounds reaches ``threshold``."""

    def rule(run: Sequence[ResultRow]) -> int | None:
        kappas = [(row.round, row.target_kappa) for row in run if not math.isnan(row.target_kappa)]
        return stopping_round(kappas, threshold, window) if kappas else None

    return rule


def margin_rule(tolerance: float = 0.05, window: int = 2) -> Rule:
    """A simple alternative: the target pool's mean margin has flattened, its relative change
    from the round before at most ``tolerance`` in each of the last ``window`` rounds."""

    def rule(run: Sequence[ResultRow]) -> int | None:
        margins = [(row.round, row.target_mean_margin) for row in run
                   if not math.isnan(row.target_mean_margin)]  # fmt: skip
        flat = [(number, abs(now - before) / max(abs(before), 1e-9) <= tolerance)
                for (_, before), (number, now) in pairwise(margins)]  # fmt: skip
        for end in range(window, len(flat) + 1):
            if all(ok for _, ok in flat[end - window : end]):
                return flat[end - 1][0]
        return None

    return rule


def budget_rule(labels: int) -> Rule:
    """A fixed budget: stop at the first round with at least ``labels`` labels."""

    def rule(run: Sequence[ResultRow]) -> int | None:
        return next((row.round for row in run if row.round > 0 and row.budget_used >= labels),
                    None)  # fmt: skip

    return rule


def runs_of(rows: Sequence[ResultRow]) -> dict[tuple[str, int], list[ResultRow]]:
    runs: dict[tuple[str, int], list[ResultRow]] = defaultdict(list)
    for row in rows:
        runs[(row.strategy, row.seed)].append(row)
    return {key: sorted(run, key=lambda row: row.round) for key, run in runs.items()}


def stop_points(
    rows: Sequence[ResultRow],
    threshold: float = DEFAULT_KAPPA,
    window: int = DEFAULT_WINDOW,
    rule: Rule | None = None,
) -> list[StopPoint]:
    """The stopping round of every run in ``rows`` (runs in first-seen order); ``rule``
    defaults to :func:`kappa_rule` with ``threshold`` and ``window``."""
    rule = rule or kappa_rule(threshold, window)
    points = []
    for (strategy, seed), run in runs_of(rows).items():
        stop = rule(run)
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


@dataclass(frozen=True)
class RuleSummary:
    """One rule over many runs: how often it fired, the labels it saved, what it cost.

    ``saved`` is the mean share of the last round's labels left unlabeled (0 for a run that
    never stops); ``change`` the mean and ``worst`` the lowest score at the stop minus the
    last round's score, in points (runs that stopped).
    """

    name: str
    fired: int
    runs: int
    saved: float
    change: float
    worst: float


def summarise_rule(name: str, runs: Sequence[Sequence[ResultRow]], rule: Rule) -> RuleSummary:
    """Apply ``rule`` to each run's rows (one run per element) and summarise."""
    saved, changes = [], []
    for run in runs:
        (point,) = stop_points(run, rule=rule)
        if point.round is None:
            saved.append(0.0)
            continue
        saved.append(1 - point.labels_at_stop / point.last_labels)
        changes.append(100 * (point.value_at_stop - point.last_value))
    return RuleSummary(name, len(changes), len(runs), float(np.mean(saved)) if saved else 0.0,
                       float(np.mean(changes)) if changes else float("nan"),
                       float(min(changes)) if changes else float("nan"))  # fmt: skip


def rules_markdown(runs: Sequence[Sequence[ResultRow]], rules: Mapping[str, Rule]) -> str:
    """Compare stopping rules over runs (each a list of one run's rows)."""
    lines = ["| rule | runs that stop | labels saved (mean share) | score at the stop minus the "
             "last round's, mean (worst), points |", "|---|---|---|---|"]  # fmt: skip
    for name, rule in rules.items():
        s = summarise_rule(name, runs, rule)
        change = "" if s.fired == 0 else f"{s.change:+.1f} ({s.worst:+.1f})"
        lines.append(f"| {s.name} | {s.fired} of {s.runs} | {100 * s.saved:.0f} % | {change} |")
    return "\n".join(lines) + "\n"


def default_rules() -> dict[str, Rule]:
    """The rules the study compares: the app's kappa rule at three thresholds, mean-margin
    flattening at two tolerances, and fixed budgets of 50 and 100 labels."""
    app = f"kappa >= {DEFAULT_KAPPA} over {DEFAULT_WINDOW} rounds (the app's default)"
    kappas = {app: kappa_rule()}
    for threshold, window in ((0.99, 3), (0.95, 3), (0.9, 2)):
        if (threshold, window) != (DEFAULT_KAPPA, DEFAULT_WINDOW):
            kappas[f"kappa >= {threshold} over {window} rounds"] = kappa_rule(threshold, window)
    return {
        **kappas,
        "mean margin changes <= 5 % for 2 rounds": margin_rule(0.05, 2),
        "mean margin changes <= 10 % for 2 rounds": margin_rule(0.10, 2),
        "fixed budget of 50 labels": budget_rule(50),
        "fixed budget of 100 labels": budget_rule(100),
    }
