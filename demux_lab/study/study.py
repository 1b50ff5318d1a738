"""Summarise several simulation runs (one per target language) into the study's tables.

Reads each run folder written by ``python -m demux_lab simulate`` (``settings.json``,
``results.csv``, ``predictions.jsonl``) and reports, per (target, budget):

- the mean over seeds of each strategy, with a 95 % bootstrap interval over test examples
  (the same resampled test sets for every seed, so the interval is of the seed mean);
- the gain of one strategy over each baseline, with a *paired* bootstrap interval (both
  systems scored on the same resampled test sets);
- the win rate: the share of (target, budget, seed) cases in which the strategy beats every
  baseline;
- forgetting: whether each strategy's seed mean ever drops below the previous budget's.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from demux_core.rounds.evaluation import resampled_main

RESAMPLES = 1000


@dataclass
class TargetRun:
    """One run folder: the test gold labels and predictions by (strategy, seed, budget)."""

    name: str
    task: str
    tag_scheme: str
    gold: list
    predictions: dict[tuple[str, int, int], list] = field(default_factory=dict)
    picked_labels: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def strategies(self) -> list[str]:
        return sorted({key[0] for key in self.predictions})

    @property
    def budgets(self) -> list[int]:
        return sorted({key[2] for key in self.predictions})

    def seeds(self, strategy: str, budget: int) -> list[int]:
        return sorted(s for (name, s, b) in self.predictions if name == strategy and b == budget)


def read_run(folder: str | Path, name: str | None = None, variant: str | None = None) -> TargetRun:
    """Load one run folder (it needs ``predictions.jsonl``).

    ``variant`` renames every strategy of the folder to ``"<strategy> (<variant>)"``, so a run
    of one lever (``--k 8``) can sit beside the grid run whose baselines it is compared with.
    """
    folder = Path(folder)
    settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    config = settings["config"]
    lines = (folder / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    run = TargetRun(
        name or folder.name,
        config["task"],
        config["round"].get("tag_scheme", "bio"),
        json.loads(lines[0])["gold"],
    )
    for line in lines[1:]:
        record = json.loads(line)
        predicted = record["predictions"]
        if run.task == "token":
            predicted = [tuple(tags) for tags in predicted]
        strategy = _variant_name(record["strategy"], variant)
        run.predictions[(strategy, record["seed"], record["budget_used"])] = predicted
    run.gold = [tuple(tags) for tags in run.gold] if run.task == "token" else run.gold
    _add_picked_labels(run, folder / "results.csv", variant)
    return run


def _variant_name(strategy: str, variant: str | None) -> str:
    return f"{strategy} ({variant})" if variant else strategy


def _add_picked_labels(run: TargetRun, results: Path, variant: str | None = None) -> None:
    """Sum each strategy's ``picked_per_label`` column (absent in older results files)."""
    if not results.is_file():
        return
    with open(results, encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            counts = json.loads(record.get("picked_per_label") or "{}")
            strategy = _variant_name(record["strategy"], variant)
            _accumulate(run.picked_labels.setdefault(strategy, {}), counts)


def _accumulate(totals: dict[str, int], counts: dict[str, int]) -> None:
    for label, count in counts.items():
        totals[label] = totals.get(label, 0) + count


def read_runs(
    folders: Sequence[Path], variants: Sequence[Path] = (), variant: str = "variant"
) -> list[TargetRun]:
    """Load run folders, merging those that differ only by a ``-s<seed>`` suffix.

    A study may run each (target, seed) as its own folder (``ner-twi-s0``, ``ner-twi-s1``):
    they become one :class:`TargetRun` named ``ner-twi``. Merged runs must share the test set.
    Folders in ``variants`` merge the same way, their strategies renamed by ``variant``
    (see :func:`read_run`); a variant folder needs a plain folder of the same target.
    """
    merged: dict[str, TargetRun] = {}
    tagged = [(folder, None) for folder in folders] + [(folder, variant) for folder in variants]
    for folder, tag in tagged:
        name = re.sub(r"-s\d+$", "", Path(folder).name)
        if tag and name not in merged:
            raise ValueError(f"{folder}: no run of {name} to compare this variant with")
        run = read_run(folder, name, tag)
        if name not in merged:
            merged[name] = run
            continue
        if merged[name].gold != run.gold:
            raise ValueError(f"{folder}: its test set differs from the other {name} runs")
        merged[name].predictions.update(run.predictions)
        for strategy, counts in run.picked_labels.items():
            _accumulate(merged[name].picked_labels.setdefault(strategy, {}), counts)
    return list(merged.values())


def bootstrap_weights(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=RESAMPLES).astype(np.float64)


def bootstrap_interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


@dataclass(frozen=True)
class Cell:
    """A seed mean with its interval (metric points x100)."""

    mean: float
    low: float
    high: float
    seeds: int

    def text(self) -> str:
        return f"{self.mean:.1f} [{self.low:.1f}, {self.high:.1f}]"


def _seed_mean(run: TargetRun, strategy: str, budget: int, weights: np.ndarray, seeds):
    point = np.mean([_main(run, run.predictions[(strategy, s, budget)]) for s in seeds])
    resampled = np.mean(
        [
            resampled_main(run.gold, run.predictions[(strategy, s, budget)], run.task, weights,
                           run.tag_scheme)
            for s in seeds
        ],
        axis=0,
    )  # fmt: skip
    return 100 * point, 100 * resampled


def _main(run: TargetRun, predicted: list) -> float:
    ones = np.ones((1, len(run.gold)))
    return float(resampled_main(run.gold, predicted, run.task, ones, run.tag_scheme)[0])


def strategy_table(run: TargetRun) -> dict[str, dict[int, Cell]]:
    """strategy -> budget -> seed mean with a 95 % interval over test examples."""
    weights = bootstrap_weights(len(run.gold))
    table: dict[str, dict[int, Cell]] = defaultdict(dict)
    for strategy in run.strategies:
        for budget in run.budgets:
            seeds = run.seeds(strategy, budget)
            if not seeds:
                continue
            point, resampled = _seed_mean(run, strategy, budget, weights, seeds)
            table[strategy][budget] = Cell(point, *bootstrap_interval(resampled), len(seeds))
    return dict(table)


def gain_table(
    run: TargetRun, strategy: str, baselines: tuple[str, ...]
) -> dict[str, dict[int, Cell]]:
    """baseline -> budget -> paired gain of ``strategy`` over it (seeds both have)."""
    weights = bootstrap_weights(len(run.gold))
    gains: dict[str, dict[int, Cell]] = defaultdict(dict)
    for baseline in baselines:
        for budget in run.budgets:
            seeds = sorted(set(run.seeds(strategy, budget)) & set(run.seeds(baseline, budget)))
            if not seeds or budget == 0:
                continue
            ours, ours_resampled = _seed_mean(run, strategy, budget, weights, seeds)
            theirs, theirs_resampled = _seed_mean(run, baseline, budget, weights, seeds)
            interval = bootstrap_interval(ours_resampled - theirs_resampled)
            gains[baseline][budget] = Cell(ours - theirs, *interval, len(seeds))
    return dict(gains)


def win_cases(run: TargetRun, strategy: str, baselines: tuple[str, ...]) -> list[bool]:
    """One entry per (budget > 0, seed) that every strategy has: beats every baseline."""
    cases = []
    for budget in run.budgets:
        if budget == 0:
            continue
        seeds = set(run.seeds(strategy, budget))
        for baseline in baselines:
            seeds &= set(run.seeds(baseline, budget))
        for seed in sorted(seeds):
            ours = _main(run, run.predictions[(strategy, seed, budget)])
            theirs = [_main(run, run.predictions[(b, seed, budget)]) for b in baselines]
            cases.append(ours > max(theirs))
    return cases


def unchanged_rounds(run: TargetRun) -> tuple[int, int]:
    """(rounds whose test predictions equal the previous round's, rounds) over all strategies.

    With ``keep_best`` an unchanged round almost always means the held-out set preferred the
    starting weights to every trained epoch.
    """
    budgets = run.budgets
    same = total = 0
    for (strategy, seed, budget), predicted in run.predictions.items():
        if budget == 0:
            continue
        before = budgets[budgets.index(budget) - 1]
        previous = run.predictions.get((strategy, seed, before))
        if previous is not None:
            total += 1
            same += previous == predicted
    return same, total


def forgetting(table: dict[str, dict[int, Cell]]) -> list[tuple[str, int, float]]:
    """(strategy, budget, drop) wherever a seed mean is below the previous budget's."""
    drops = []
    for strategy, by_budget in table.items():
        budgets = sorted(by_budget)
        for before, after in zip(budgets, budgets[1:], strict=False):
            drop = by_budget[after].mean - by_budget[before].mean
            if drop < 0:
                drops.append((strategy, after, drop))
    return drops
