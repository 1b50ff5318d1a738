"""One line of a simulation's tidy results: the round's test metric with its interval."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResultRow:
    """One line of the tidy results table.

    ``picked`` counts the round's picks per source language and ``picked_labels`` their gold
    labels (units in :func:`demux_core.data.labels.label_counts`). ``target_kappa`` and
    ``target_changed``: agreement of the round's target-pool predictions with the round
    before's (:mod:`demux_core.rounds.stability`; round 1 compares with the warm start);
    ``target_mean_margin``: the round model's mean margin over the target pool (lower = less
    sure).
    """

    strategy: str
    seed: int
    round: int
    budget_used: int
    metric: str
    value: float
    seconds: float
    picked: dict[str, int]
    per_language: dict[str, float]
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    predictions: tuple = field(default=(), repr=False, compare=False)
    picked_labels: dict[str, int] = field(default_factory=dict)
    target_kappa: float = float("nan")
    target_changed: float = float("nan")
    target_mean_margin: float = float("nan")


def metrics_row(
    strategy,
    seed,
    number,
    used,
    metrics,
    seconds,
    picked,
    test,
    task_and_scheme,
    picked_labels=None,
    agreement=None,
    target_mean_margin=float("nan"),
):
    """A result row with a bootstrap CI over the test examples (when there is a test set)."""
    name = _metric_name(metrics)
    ci = (float("nan"), float("nan"))
    predictions: tuple = ()
    task, scheme = task_and_scheme
    if metrics is not None and metrics.predictions and test:
        from demux_core.data.labels import gold_labels
        from demux_core.rounds.evaluation import bootstrap_ci

        predictions = metrics.predictions
        intervals = bootstrap_ci(gold_labels(test), predictions, task, 1000, 0, tag_scheme=scheme)
        ci = intervals.get(name, ci)
    return ResultRow(
        strategy,
        seed,
        number,
        used,
        name,
        metrics.main if metrics else float("nan"),
        seconds,
        picked,
        _per_language_main(metrics),
        ci[0],
        ci[1],
        predictions,
        dict(picked_labels or {}),
        float("nan") if agreement is None else agreement.kappa,
        float("nan") if agreement is None else agreement.changed,
        float(target_mean_margin),
    )


def _metric_name(metrics) -> str:
    if metrics is None:
        return ""
    for name in ("f1", "accuracy", "exact_match"):
        if name in metrics.values and metrics.values[name] == metrics.main:
            return name
    return "main"


def _per_language_main(metrics) -> dict[str, float]:
    if metrics is None:
        return {}
    name = _metric_name(metrics)
    return {lang: values.get(name, float("nan")) for lang, values in metrics.per_language.items()}
