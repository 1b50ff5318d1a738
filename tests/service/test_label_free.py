"""Label-free progress stored with each round, and the stopping note built from it."""

from __future__ import annotations

import numpy as np
import pytest

from service.label_free import stability_table, stopping_note, target_stability
from service.projects import open_store
from tests.service.factories import make_project


class _Scores:
    def __init__(self, predictions, margins):
        self.predictions, self.uncertainty = predictions, np.asarray(margins, dtype=np.float32)


def _round_with_target(store, predictions, extra_metrics=None):
    current = store.start_round("random")
    version = f"v{current.number}"
    n = store.pool_size("target")
    store.save_scores(version, current.id, "target", np.full(n, 0.5), predictions,
                      np.zeros((n, 2), np.float32))  # fmt: skip
    metrics = target_stability(store, current.id, _Scores(predictions, np.full(n, 0.5)))
    metrics.update(extra_metrics or {})
    store.set_round_status(current.id, "done", model_version=version, metrics=metrics)
    return metrics


def test_each_round_stores_its_agreement_with_the_round_before(demux_home):
    store = open_store(make_project())  # 4 target sentences, three topics
    first = _round_with_target(store, ["sports", "health", "sports", "politics"])
    assert "target_kappa" not in first and first["target_mean_margin"] == pytest.approx(0.5)
    second = _round_with_target(store, ["sports", "health", "health", "politics"])
    assert second["target_changed"] == pytest.approx(0.25)
    assert second["target_compared_round"] == 1 and 0 < second["target_kappa"] < 1
    table = stability_table(store)
    assert list(table["round"]) == [1, 2] and table["target_kappa"].isna().tolist() == [True, False]
    store.close()


@pytest.mark.parametrize(
    ("kappas", "expected"),
    [
        ([0.5], "Too early to tell: the last 1 round(s) changed"),
        ([0.5, 0.8, 0.9], "Not stable yet: the last 3 round(s) changed"),
        ([0.8, 0.995, 0.995, 1.0], "Predictions have stabilised since round 5:"),
        ([0.995, 0.995, 0.995, 0.995], "Predictions have stabilised since round 4:"),
        ([0.995, 0.995, 0.995, 0.5], "Not stable yet"),  # a later round undid the plateau
    ],
)
def test_the_stopping_note_says_where_the_series_stands(demux_home, kappas, expected):
    store = open_store(make_project())
    store.update_project(settings={**store.info().settings, "stop_kappa": 0.99, "stop_window": 3})
    predictions = ["sports", "travel", "sports", "sports"]
    _round_with_target(store, predictions)
    for kappa in kappas:
        _round_with_target(store, predictions, {"target_kappa": kappa,
                                                "target_changed": (1 - kappa) / 2})  # fmt: skip
    assert stopping_note(store).startswith(expected)
    store.close()


def test_a_model_that_predicts_one_label_everywhere_is_not_called_stable(demux_home):
    """Kappa of two constant predictions is 1: without this guard the rule would say a model
    that never learned the task (common early in a cold start) had stabilised."""
    store = open_store(make_project())
    for _ in range(3):
        metrics = _round_with_target(store, ["sports"] * 4)
    assert metrics["target_classes"] == 1 and metrics["target_kappa"] == 1.0
    assert stopping_note(store).startswith("Not a real plateau: round 3 predicts one label")
    _round_with_target(store, ["sports", "travel", "sports", "sports"])
    assert stopping_note(store).startswith("Not stable yet")
