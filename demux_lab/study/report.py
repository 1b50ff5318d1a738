"""The study's report: markdown tables and learning curves over :mod:`demux_lab.study.study` runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from demux_lab.study.goals import goals_markdown
from demux_lab.study.study import (
    TargetRun,
    forgetting,
    gain_table,
    strategy_table,
    unchanged_rounds,
    win_cases,
)


def shares_text(counts: dict[str, int], top: int | None = None) -> str:
    """``"a 50 %, b 30 %, ..."``: the ``top`` largest counts (all by default) as shares."""
    total = sum(counts.values()) or 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return ", ".join(f"{name} {100 * n / total:.0f} %" for name, n in ranked)


def label_shares_text(run: TargetRun) -> str:
    """One line: each strategy's picks per gold label, as shares of its picks (or "")."""
    parts = [
        f"{strategy}: {shares_text(counts)}"
        for strategy, counts in sorted(run.picked_labels.items())
        if sum(counts.values())
    ]
    if not parts:
        return ""
    return "Gold labels of the picks (all seeds and budgets): " + "; ".join(parts) + "."


def study_markdown(
    runs: list[TargetRun], strategy: str, baselines: tuple[str, ...], gain_up_to: int = 50
) -> str:
    """The study's tables for ``runs`` (one per target language) as markdown.

    Per target: seed means, ``strategy``'s paired gains, wins, drops and label shares. Then,
    over all targets: each strategy's drops and change from zero-shot, and ``strategy``'s mean
    gain over each baseline at budgets up to ``gain_up_to`` and at all budgets.
    """
    lines: list[str] = []
    all_cases: list[bool] = []
    tables, all_gains = [], []
    for run in runs:
        table = strategy_table(run)
        tables.append((run.name, table))
        budgets = run.budgets
        lines += [f"**{run.name}** (seed mean [95 % CI over test examples], x100)", ""]
        lines += ["| strategy | " + " | ".join(f"{b} labels" for b in budgets) + " |"]
        lines += ["|---" * (len(budgets) + 1) + "|"]
        for name, by_budget in table.items():
            cells = [by_budget[b].text() if b in by_budget else "" for b in budgets]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        gains = gain_table(run, strategy, baselines)
        all_gains.append(gains)
        for baseline, by_budget in gains.items():
            cells = [by_budget[b].text() if b in by_budget else "" for b in budgets]
            lines.append(f"| gain vs {baseline} | " + " | ".join(cells) + " |")
        cases = win_cases(run, strategy, baselines)
        all_cases += cases
        same, rounds = unchanged_rounds(run)
        drops = forgetting(table)
        worst = min(drops, key=lambda d: d[2]) if drops else None
        lines += [
            "",
            f"{strategy} beats {' and '.join(baselines)} in {sum(cases)}/{len(cases)} "
            f"(budget, seed) cases; "
            + (
                f"largest drop of a seed mean from one budget to the next: {worst[2]:.1f} "
                f"({worst[0]}, {worst[1]} labels)."
                if worst
                else "no seed mean drops from one budget to the next."
            )
            + f" Rounds that left every test prediction unchanged: {same}/{rounds}.",
            "",
        ]
        shares = label_shares_text(run)
        if shares:
            lines += [shares, ""]
    lines += goals_markdown(tables, all_gains, strategy, gain_up_to)
    rate = 100 * sum(all_cases) / max(len(all_cases), 1)
    lines.append(f"Overall: {sum(all_cases)}/{len(all_cases)} cases ({rate:.0f} %).")
    return "\n".join(lines) + "\n"


def plot_study(runs: list[TargetRun], path: Path, title: str) -> Path:
    """One learning-curve panel per target (seed mean, band = 95 % interval)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.6), dpi=110)
    for axis, run in zip(np.atleast_1d(axes), runs, strict=True):
        for name, by_budget in strategy_table(run).items():
            budgets = sorted(by_budget)
            means = [by_budget[b].mean for b in budgets]
            axis.plot(budgets, means, marker="o", label=name)
            axis.fill_between(
                budgets, [by_budget[b].low for b in budgets], [by_budget[b].high for b in budgets],
                alpha=0.08,
            )  # fmt: skip
        axis.set_title(run.name, fontsize=10)
        axis.set_xlabel("labels acquired")
        axis.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("target test score (x100)")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
