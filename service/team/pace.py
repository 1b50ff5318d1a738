"""Time per label and gain per hour: what the page's active-time measurements add up to.

Every annotation the Annotate page saves carries the annotator's active time on it
(:mod:`service.team.timing`). :func:`pace_table` sums labels and active hours per annotator
(and per round); :func:`gain_per_hour` puts each round's score (the test metric, or the
label-free signals where there is no test set) beside the annotation hours spent before it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from service.label_free import stability_table
from service.report import DEMUX_SERIES, learning_curve

PACE_COLUMNS = ["annotator", "labels", "timed labels", "active hours", "labels per hour"]


def label_times(store: Any) -> pd.DataFrame:
    """Effective source-pool annotations of every slot (an overlap item's second label took
    its annotator's time too): ``annotator``, ``round``, ``kind``, ``seconds`` (NaN where the
    time is unknown, e.g. saved before times were kept, or a reviewer's decision)."""
    numbers = {current.id: current.number for current in store.rounds()}
    rows = [{"annotator": a.annotator, "round": numbers.get(a.round_id), "kind": a.kind,
             "seconds": math.nan if a.active_seconds is None else a.active_seconds}
            for slots in store.slot_annotations("source").values()
            for a in slots.values() if a.slot != "review"]  # fmt: skip
    return pd.DataFrame(rows, columns=["annotator", "round", "kind", "seconds"])


def pace_table(
    store: Any, by_round: bool = False, times: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Labels (skips and flags too: each took the annotator's time), the labels with a
    measured time, their active hours and labels per active hour, per annotator (and round);
    ``times``: :func:`label_times`, when already read."""
    times = label_times(store) if times is None else times
    keys = ["round", "annotator"] if by_round else ["annotator"]
    columns = keys[:-1] + PACE_COLUMNS
    if times.empty:
        return pd.DataFrame(columns=columns)
    grouped = times.groupby(keys, sort=True)
    table = pd.DataFrame({"labels": grouped.size(), "timed labels": grouped["seconds"].count(),
                          "active hours": grouped["seconds"].sum() / 3600}).reset_index()  # fmt: skip
    hours = table["active hours"].where(table["active hours"] > 0)
    table["labels per hour"] = table["timed labels"] / hours
    return table[columns]


def gain_per_hour(store: Any, times: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per round: ``round``, ``labels``, ``hours`` (active annotation hours of every round
    before it, whose labels trained its model), then ``test metric`` where a test set
    scores it and the label-free ``target_kappa``, ``target_changed``,
    ``target_mean_margin`` where measured; ``times``: :func:`label_times`, when already read."""
    times = label_times(store) if times is None else times
    curve = learning_curve(store)
    ours = curve[curve["series"] == DEMUX_SERIES].set_index("round")
    stability = stability_table(store).set_index("round")
    rows = []
    for current in store.rounds():
        before = times[times["round"] < current.number]
        row: dict[str, Any] = {"round": current.number,
                               "labels": int((before["kind"] == "label").sum()),
                               "hours": float(before["seconds"].sum()) / 3600}  # fmt: skip
        if current.number in ours.index:
            row["test metric"] = float(ours.loc[current.number, "value"])
        if current.number in stability.index:
            row.update(stability.loc[current.number].to_dict())
        rows.append(row)
    columns = ["round", "labels", "hours", "test metric", "target_kappa", "target_changed",
               "target_mean_margin"]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns)
    return table.dropna(axis=1, how="all")
