"""A study's standing against its two goals, over all targets at once.

- No forgetting: a strategy's seed mean should never fall below the one of the budget before
  (zero-shot included). :func:`progress_by_strategy` counts the drops and reports the mean
  change from zero-shot at each budget.
- Selection that pays: :func:`mean_gains` averages one strategy's gain over each baseline over
  (target, budget) cells, at small budgets (``0 < budget <= up_to``) and at all budgets.

Both work on the tables :mod:`demux_lab.study.study` already computed (metric points x100), so a
report pays for the bootstrap once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from demux_lab.study.study import Cell, forgetting

ScoreTable = dict[str, dict[int, Cell]]  # strategy (or baseline) -> budget -> cell


@dataclass(frozen=True)
class StrategyProgress:
    """One strategy's rounds over every target.

    Attributes
    ----------
    strategy : str
    drops : tuple of (str, int, float)
        ``(target, budget, change)`` wherever the seed mean at ``budget`` is below the one of
        the budget before; ``change < 0``, in points.
    compared : int
        How many (target, budget) seed means were compared with the budget before.
    change : dict of int to float
        budget -> mean over targets of (seed mean at budget - zero-shot seed mean), in points;
        budgets > 0 only.
    """

    strategy: str
    drops: tuple[tuple[str, int, float], ...]
    compared: int
    change: dict[int, float]


def progress_by_strategy(tables: Sequence[tuple[str, ScoreTable]]) -> list[StrategyProgress]:
    """Drops and mean change from zero-shot of each strategy, over ``(target, table)`` pairs.

    A target contributes to ``change[b]`` only where the strategy has both budget 0 and ``b``.
    """
    strategies = sorted({name for _, table in tables for name in table})
    progress = []
    for strategy in strategies:
        drops: list[tuple[str, int, float]] = []
        compared = 0
        changes: dict[int, list[float]] = {}
        for target, table in tables:
            by_budget = table.get(strategy)
            if not by_budget:
                continue
            compared += len(by_budget) - 1
            drops += [(target, budget, drop) for _, budget, drop in forgetting({"": by_budget})]
            if 0 not in by_budget:
                continue
            for budget, cell in by_budget.items():
                if budget > 0:
                    changes.setdefault(budget, []).append(cell.mean - by_budget[0].mean)
        change = {budget: float(np.mean(values)) for budget, values in sorted(changes.items())}
        progress.append(StrategyProgress(strategy, tuple(drops), compared, change))
    return progress


def mean_gains(
    gains: Sequence[ScoreTable], up_to: int = 50
) -> dict[str, tuple[float | None, float | None]]:
    """baseline -> (mean gain at ``0 < budget <= up_to``, mean gain at every budget > 0).

    ``gains`` holds one :func:`demux_lab.study.study.gain_table` per target; the means are over
    (target, budget) cells, ``None`` where there is no cell.
    """
    small: dict[str, list[float]] = {}
    every: dict[str, list[float]] = {}
    for table in gains:
        for baseline, by_budget in table.items():
            for budget, cell in by_budget.items():
                every.setdefault(baseline, []).append(cell.mean)
                if 0 < budget <= up_to:
                    small.setdefault(baseline, []).append(cell.mean)
    return {
        baseline: (_mean(small.get(baseline, [])), _mean(values))
        for baseline, values in every.items()
    }


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def goals_markdown(
    tables: Sequence[tuple[str, ScoreTable]],
    gains: Sequence[ScoreTable],
    strategy: str,
    up_to: int = 50,
) -> list[str]:
    """Markdown lines: drops and change per strategy, then ``strategy``'s mean gains."""
    progress = progress_by_strategy(tables)
    budgets = sorted({budget for item in progress for budget in item.change})
    lines = [
        "**All targets**",
        "",
        "| strategy | seed means below the budget before | change from zero-shot at "
        + " / ".join(str(b) for b in budgets)
        + " labels |",
        "|---|---|---|",
    ]
    for item in progress:
        drops = f"{len(item.drops)} of {item.compared}"
        if item.drops:
            target, budget, drop = min(item.drops, key=lambda d: d[2])
            drops += f" (largest {drop:.1f}: {target}, {budget} labels)"
        change = " / ".join(_signed(item.change.get(b)) for b in budgets)
        lines.append(f"| {item.strategy} | {drops} | {change} |")
    lines += ["", f"| {strategy} minus | budgets up to {up_to} | all budgets |", "|---|---|---|"]
    for baseline, (small, every) in mean_gains(gains, up_to).items():
        lines.append(f"| {baseline} | {_signed(small)} | {_signed(every)} |")
    lines.append("")
    return lines
