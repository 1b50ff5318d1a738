"""Tidy CSV, markdown summary and learning-curve plot of a simulation."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from demux_lab.simulation.result_rows import ResultRow

CSV_FIELDS = (
    "strategy",
    "seed",
    "round",
    "budget_used",
    "metric",
    "value",
    "seconds",
    "picked_per_language",
    "per_language",
    "ci_low",
    "ci_high",
    "picked_per_label",
    "target_kappa",
    "target_changed",
    "target_mean_margin",
)


def write_rows(rows: Iterable[ResultRow], path: Path) -> list[ResultRow]:
    """Write rows to a CSV as they arrive (flushed after each) and return them all."""
    written: list[ResultRow] = []
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_FIELDS)
        for row in rows:
            writer.writerow(
                [
                    row.strategy,
                    row.seed,
                    row.round,
                    row.budget_used,
                    row.metric,
                    f"{row.value:.4f}",
                    f"{row.seconds:.1f}",
                    json.dumps(row.picked, ensure_ascii=False),
                    json.dumps({k: round(v, 4) for k, v in row.per_language.items()}),
                    f"{row.ci_low:.4f}",
                    f"{row.ci_high:.4f}",
                    json.dumps(row.picked_labels, ensure_ascii=False),
                    f"{row.target_kappa:.4f}",
                    f"{row.target_changed:.4f}",
                    f"{row.target_mean_margin:.4f}",
                ]
            )
            handle.flush()
            written.append(row)
    return written


def stream_predictions(
    rows: Iterable[ResultRow], test: Sequence, path: Path
) -> Iterator[ResultRow]:
    """Pass rows through, writing each row's test predictions to ``path`` as it arrives.

    JSON lines: the first holds the gold labels, then one line per row with predictions
    (flushed, so a stopped run keeps what it finished). :mod:`demux_lab.study.study` reads them.
    """
    from demux_core.data.labels import gold_labels

    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"gold": gold_labels(test)}, ensure_ascii=False) + "\n")
        for row in rows:
            if row.predictions:
                record = {
                    "strategy": row.strategy,
                    "seed": row.seed,
                    "round": row.round,
                    "budget_used": row.budget_used,
                    "predictions": list(row.predictions),
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
            yield row


def read_rows(path: Path) -> list[ResultRow]:
    """Read a CSV written by :func:`write_rows`."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            ResultRow(
                record["strategy"],
                int(record["seed"]),
                int(record["round"]),
                int(record["budget_used"]),
                record["metric"],
                float(record["value"]),
                float(record["seconds"]),
                json.loads(record["picked_per_language"]),
                json.loads(record["per_language"]),
                float(record.get("ci_low") or "nan"),
                float(record.get("ci_high") or "nan"),
                picked_labels=json.loads(record.get("picked_per_label") or "{}"),
                target_kappa=float(record.get("target_kappa") or "nan"),
                target_changed=float(record.get("target_changed") or "nan"),
                target_mean_margin=float(record.get("target_mean_margin") or "nan"),
            )
            for record in csv.DictReader(handle)
        ]


def curves(rows: Sequence[ResultRow]) -> dict[str, dict[int, np.ndarray]]:
    """strategy -> budget used -> values over seeds, shape (n_seeds,) float64."""
    grouped: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row.strategy][row.budget_used].append(row.value)
    return {
        strategy: {budget: np.asarray(values) for budget, values in sorted(by_budget.items())}
        for strategy, by_budget in grouped.items()
    }


def summary_markdown(rows: Sequence[ResultRow]) -> str:
    """Mean ± std over seeds per strategy (rows) and labels used (columns), in metric points."""
    table = curves(rows)
    budgets = sorted({b for by_budget in table.values() for b in by_budget})
    metric = next((row.metric for row in rows if row.metric), "metric")
    header = "| strategy | " + " | ".join(f"{b} labels" for b in budgets) + " |"
    lines = [header, "|---" * (len(budgets) + 1) + "|"]
    for strategy, by_budget in table.items():
        cells = []
        for budget in budgets:
            values = by_budget.get(budget)
            if values is None:
                cells.append("")
            else:
                cells.append(f"{100 * values.mean():.1f} ± {100 * values.std():.1f}")
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    return f"{metric} (×100), mean ± std over seeds\n\n" + "\n".join(lines) + "\n"


def plot_curves(rows: Sequence[ResultRow], path: Path, title: str) -> Path:
    """Learning curves (mean over seeds, band = ± one std) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for strategy, by_budget in curves(rows).items():
        budgets = np.array(list(by_budget))
        means = np.array([v.mean() for v in by_budget.values()])
        stds = np.array([v.std() for v in by_budget.values()])
        axes.plot(budgets, means, marker="o", label=strategy)
        axes.fill_between(budgets, means - stds, means + stds, alpha=0.15)
    metric = next((row.metric for row in rows if row.metric), "metric")
    axes.set_xlabel("labels acquired")
    axes.set_ylabel(f"target test {metric}")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def picks_markdown(rows: Sequence[ResultRow], by: str = "language") -> str:
    """Share of all picks per source language (or gold label), per strategy.

    Summed over seeds and rounds. ``by="label"`` reads ``picked_labels`` (units in
    :func:`demux_core.data.labels.label_counts`); an empty string when no row has them.
    """
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for name, count in (row.picked if by == "language" else row.picked_labels).items():
            totals[row.strategy][name] += count
    if not totals:
        return ""
    languages = sorted({lang for by_lang in totals.values() for lang in by_lang})
    lines = [
        "| strategy | " + " | ".join(languages) + " |",
        "|---" * (len(languages) + 1) + "|",
    ]
    for strategy, by_lang in totals.items():
        total = max(sum(by_lang.values()), 1)
        cells = [f"{100 * by_lang.get(lang, 0) / total:.0f}%" for lang in languages]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def round_seconds(rows: Sequence[ResultRow]) -> tuple[float, float]:
    """Median and maximum wall-clock seconds of the rounds that trained (round >= 1)."""
    seconds = np.array([row.seconds for row in rows if row.round >= 1])
    if seconds.size == 0:
        return float("nan"), float("nan")
    return float(np.median(seconds)), float(seconds.max())
