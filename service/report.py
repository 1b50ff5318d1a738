"""Tables for the rounds page: learning curve, picks per language, timings, diagnostics.

Round metrics are whatever the runner stored; this module looks for:

- ``test_metric`` (float) and ``metric_name`` (e.g. ``"accuracy"``, ``"f1"``): the
  score on the target test pool of the model the round trained;
- ``n_labeled`` (int): labels the model was trained on (else counted from selections);
- ``pearson`` (float): :func:`demux_core.rounds.diagnostics.neighborhood_uncertainty_pearson`.

- ``test_interval`` ([low, high]): its 95 % bootstrap interval over the test sentences;
- ``twin_metric``, ``twin_interval``, ``twin_n_labeled``: the random twin's score
  (:mod:`service.twin`).

A random-selection baseline may also be a project setting ``baseline_curves``:
``{"random": [[n_labeled, value], ...]}`` (written by :func:`set_baseline_curve`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from storage import ProjectStore

METRIC_KEYS = ("test_metric", "test_f1", "test_accuracy", "f1", "accuracy")


def _metric(metrics: dict) -> float | None:
    for key in METRIC_KEYS:
        value = metrics.get(key)
        if isinstance(value, int | float):
            return float(value)
    return None


def metric_name(store: ProjectStore) -> str:
    """The name of the test metric the rounds report (``"metric"`` when unnamed)."""
    for current in store.rounds():
        name = current.metrics.get("metric_name")
        if isinstance(name, str) and name:
            return name
    return "metric"


DEMUX_SERIES = "DeMuX picks"
TWIN_SERIES = "random picks (twin)"
CURVE_COLUMNS = ["series", "round", "n_labeled", "value", "low", "high"]


def _interval(value: Any) -> tuple[float | None, float | None]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None, None


def learning_curve(store: ProjectStore) -> pd.DataFrame:
    """Test metric per round, the random twin's beside it, plus stored baseline series.

    Returns
    -------
    DataFrame
        Columns ``series`` (:data:`DEMUX_SERIES`, :data:`TWIN_SERIES` or a baseline name),
        ``round`` (int or NaN), ``n_labeled`` (int), ``value`` (float), ``low`` and ``high``
        (the 95 % interval, NaN when unknown). Empty without any metric.
    """
    rows = []
    labeled_so_far = 0
    for current in store.rounds():
        metrics = current.metrics
        value = _metric(metrics)
        n_labeled = metrics.get("n_labeled", labeled_so_far)
        if value is not None:
            low, high = _interval(metrics.get("test_interval"))
            rows.append({"series": DEMUX_SERIES, "round": current.number, "n_labeled": n_labeled,
                         "value": value, "low": low, "high": high})  # fmt: skip
        if isinstance(metrics.get("twin_metric"), int | float):
            low, high = _interval(metrics.get("twin_interval"))
            rows.append({"series": TWIN_SERIES, "round": current.number,
                         "n_labeled": int(metrics.get("twin_n_labeled", n_labeled)),
                         "value": float(metrics["twin_metric"]), "low": low, "high": high})  # fmt: skip
        labeled_so_far += len(store.selections(current.id))
    for name, points in store.info().settings.get("baseline_curves", {}).items():
        for n_labeled, value in points:
            rows.append({"series": name, "round": None, "n_labeled": int(n_labeled),
                         "value": float(value), "low": None, "high": None})  # fmt: skip
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def twin_summary(curve: pd.DataFrame, metric: str) -> str | None:
    """One plain sentence on DeMuX's picks against the random twin at the latest round both
    have (None before there is one)."""
    both = curve[curve["series"].isin([DEMUX_SERIES, TWIN_SERIES])].dropna(subset=["round"])
    rounds = [r for r, part in both.groupby("round") if part["series"].nunique() == 2]
    if not rounds:
        return None
    latest = both[both["round"] == max(rounds)].set_index("series")
    ours, theirs = latest.loc[DEMUX_SERIES], latest.loc[TWIN_SERIES]
    gap = 100 * (ours["value"] - theirs["value"])
    if int(ours["n_labeled"]) == 0:
        return ("Round 1 has no labels yet: DeMuX and the random twin are the same model; the "
                "curves part from round 2 on.")  # fmt: skip
    text = (f"After {int(ours['n_labeled'])} labels, DeMuX's picks reach {100 * ours['value']:.1f} % "
            f"test {metric} and as many random sentences (the same recipe, labels from gold) "
            f"{100 * theirs['value']:.1f} %: {abs(gap):.1f} points "
            f"{'more' if gap >= 0 else 'fewer'} for DeMuX.")  # fmt: skip
    if pd.notna([ours["low"], ours["high"], theirs["low"], theirs["high"]]).all():
        apart = ours["low"] > theirs["high"] or theirs["low"] > ours["high"]
        text += (" The 95 % intervals (bootstrap over the test sentences) "
                 + ("do not overlap, so the difference is unlikely to be chance."
                    if apart else "overlap, so this test set cannot tell the two apart yet."))  # fmt: skip
    return text


def set_baseline_curve(store: ProjectStore, name: str, points: Sequence[tuple[int, float]]) -> None:
    """Store a comparison series (e.g. a random-selection simulation) in the project settings."""
    settings = dict(store.info().settings)
    curves = dict(settings.get("baseline_curves", {}))
    curves[name] = [[int(n), float(v)] for n, v in points]
    settings["baseline_curves"] = curves
    store.update_project(settings=settings)


def picks_by_language(store: ProjectStore) -> pd.DataFrame:
    """How many points of each language every round selected.

    Columns ``round`` (int), ``language`` (str), ``count`` (int).
    """
    rows = []
    for current in store.rounds():
        selections = store.selections(current.id)
        if not selections:
            continue
        examples = store.get_examples([selection.example_key for selection in selections])
        counts = pd.Series([stored.example.language for stored in examples]).value_counts()
        rows.extend(
            {"round": current.number, "language": lang, "count": int(n)}
            for lang, n in counts.items()
        )
    return pd.DataFrame(rows, columns=["round", "language", "count"])


def stage_timings(store: ProjectStore) -> pd.DataFrame:
    """Seconds per stage of every round: columns ``round``, ``stage``, ``seconds``."""
    rows = [
        {"round": current.number, "stage": stage, "seconds": float(seconds)}
        for current in store.rounds()
        for stage, seconds in current.timings.items()
    ]
    return pd.DataFrame(rows, columns=["round", "stage", "seconds"])


def index_notes(store: ProjectStore) -> list[str]:
    """What the latest finished round's pool-index build reported (a model change, new rows),
    and how its neighbour search ran ("exact", or "approximate, recall 0.99")."""
    for current in reversed(store.rounds()):
        metrics = current.metrics or {}
        if "index_search" not in metrics:
            continue
        notes = [str(note) for note in metrics.get("index_notes") or []]
        if metrics["index_search"] == "ivf":
            recall = metrics.get("index_recall")
            notes.append(
                f"Neighbour search is approximate (IVF), recall {recall:.3f} against exact search."
            )
        return notes
    return []


def diagnostics(store: ProjectStore) -> pd.DataFrame:
    """Pearson's rho (neighbourhood uncertainty) per round: columns ``round``, ``pearson``."""
    rows = [
        {"round": current.number, "pearson": float(current.metrics["pearson"])}
        for current in store.rounds()
        if isinstance(current.metrics.get("pearson"), int | float)
    ]
    return pd.DataFrame(rows, columns=["round", "pearson"])


def rounds_table(store: ProjectStore) -> pd.DataFrame:
    """One row per round: number, status, strategy, times, model version, metrics, error."""
    rows = [
        {
            "round": current.number,
            "status": current.status,
            "strategy": current.strategy,
            "why": current.config.get("strategy_reason", ""),
            "selected": len(store.selections(current.id)),
            "test_metric": _metric(current.metrics),
            "random_twin": current.metrics.get("twin_metric"),
            "left_out_conflicts": current.metrics.get("left_out_conflicts"),
            "created_at": current.created_at,
            "finished_at": current.finished_at,
            "model_version": current.model_version,
            "seconds": round(sum(current.timings.values()), 3),
            "timings": json.dumps(current.timings),
            "metrics": json.dumps(current.metrics, ensure_ascii=False),
            "error": current.error,
        }
        for current in store.rounds()
    ]
    return pd.DataFrame(rows)
