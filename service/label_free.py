"""Progress without a labeled test set, and when to stop (issue: cold start and stopping).

The round runner stores, with every round, the target pool's mean margin and how far its
target predictions agree with the last earlier round's (Cohen's kappa and the share that
changed; :mod:`demux_core.rounds.stability`). The Rounds page plots the series and
:func:`stopping_note` says in words whether predictions have stabilised: the mean kappa of
the last ``stop_window`` comparisons (project setting, default 2) reaching ``stop_kappa``
(default 0.9), the rule of Bloodgood and Vijay-Shanker (2009) as small-text's
``KappaAverage`` implements it, with defaults measured on this project's grids.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from demux_core.rounds.stability import DEFAULT_KAPPA, DEFAULT_WINDOW, stopping_round


def target_stability(store: Any, round_id: int, target: Any) -> dict[str, Any]:
    """Label-free progress of a round: the target pool's mean margin, and the agreement of its
    target predictions with the last earlier round's (``target_kappa``, ``target_changed``;
    :mod:`demux_core.rounds.stability`). Empty when there is no target score."""
    import numpy as np

    from demux_core.rounds.stability import prediction_agreement
    from storage import StorageError

    if target is None or len(target.predictions) == 0:
        return {}
    from demux_core.rounds.stability import units
    from service.store_runner import _json_prediction

    current = [_json_prediction(p) for p in target.predictions]
    found: dict[str, Any] = {"target_mean_margin": float(np.mean(target.uncertainty)),
                             "target_classes": len(set(units(current)))}  # fmt: skip
    number = store.get_round(round_id).number
    for earlier in reversed(store.rounds()):
        if earlier.number >= number or not earlier.model_version:
            continue
        try:
            _, previous, _ = store.load_scores(earlier.model_version, "target")
        except StorageError:
            continue
        pairs = [(a, b) for a, b in zip(previous, current, strict=False) if a is not None]
        if len(previous) != len(current) or not pairs:
            break  # the target pool changed: no comparison
        agreement = prediction_agreement(*zip(*pairs, strict=True))
        found.update(target_kappa=agreement.kappa, target_changed=agreement.changed,
                     target_compared_round=earlier.number)  # fmt: skip
        break
    return found


def stability_table(store: Any) -> pd.DataFrame:
    """Per round: ``round``, ``target_kappa``, ``target_changed``, ``target_mean_margin``."""
    rows = []
    for current in store.rounds():
        metrics = current.metrics or {}
        if "target_mean_margin" not in metrics:
            continue
        rows.append({"round": current.number, "target_kappa": metrics.get("target_kappa"),
                     "target_changed": metrics.get("target_changed"),
                     "target_mean_margin": metrics["target_mean_margin"]})  # fmt: skip
    return pd.DataFrame(rows, columns=["round", "target_kappa", "target_changed",
                                       "target_mean_margin"])  # fmt: skip


def _latest_classes(store: Any) -> int | None:
    """How many distinct labels (tags, for token tasks) the latest measured round predicted
    on the target pool (None when not recorded)."""
    for current in reversed(store.rounds()):
        value = (current.metrics or {}).get("target_classes")
        if "target_mean_margin" in (current.metrics or {}):
            return int(value) if isinstance(value, int | float) else None
    return None


def _stable_since(kappas: list[tuple[int, float]], threshold: float, window: int) -> int | None:
    """The first round of the stretch, up to the latest round, in which the rule holds at
    every round (None when it does not hold at the latest: a stop that later rounds undid is
    no stop now)."""
    since = None
    for end in range(len(kappas), 0, -1):
        if stopping_round(kappas[max(0, end - window) : end], threshold, window) is None:
            break
        since = kappas[end - 1][0]
    return since


def stopping_note(store: Any, table: pd.DataFrame | None = None) -> str | None:
    """Whether the target predictions have stabilised, in one or two sentences (None before
    two rounds have been compared); ``table``: :func:`stability_table`, when already read."""
    settings = store.info().settings
    threshold = float(settings.get("stop_kappa", DEFAULT_KAPPA))
    window = int(settings.get("stop_window", DEFAULT_WINDOW))
    table = (stability_table(store) if table is None else table).dropna(subset=["target_kappa"])
    if table.empty:
        return None
    kappas = list(zip(table["round"].astype(int), table["target_kappa"].astype(float), strict=True))
    stop = _stable_since(kappas, threshold, window)
    recent = table.tail(window)
    changed = ", ".join(f"{100 * c:.1f} %" for c in recent["target_changed"])
    span = f"the last {len(recent)} round(s) changed {changed} of the target predictions"
    classes = _latest_classes(store)
    if stop is not None and classes == 1:
        return (f"Not a real plateau: round {int(table['round'].iloc[-1])} predicts one label for "
                f"every target sentence, so its predictions hardly change; the model has not "
                "learned the task yet.")  # fmt: skip
    if stop is not None:
        return (f"Predictions have stabilised since round {stop}: {span} (mean kappa with the "
                f"round before {recent['target_kappa'].mean():.3f} >= {threshold}). Further "
                "labels of this kind are unlikely to move the model.")  # fmt: skip
    if len(table) < window:
        return (f"Too early to tell: {span}; the stopping rule looks at {window} rounds "
                f"(mean kappa >= {threshold}).")  # fmt: skip
    return (f"Not stable yet: {span} (mean kappa {recent['target_kappa'].mean():.3f}, the "
            f"stopping rule needs {threshold}).")  # fmt: skip
