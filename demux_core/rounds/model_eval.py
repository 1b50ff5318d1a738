"""Evaluate a task model on a labeled pool (the target test set, or a held-out source set)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from demux_core.data.examples import Example, TaskType
from demux_core.data.labels import gold_labels
from demux_core.models.lower_cache import FrozenBottom
from demux_core.models.task_model import TaskModel
from demux_core.rounds.evaluation import Metrics, evaluate
from demux_core.scoring.pool import score_pool

if TYPE_CHECKING:
    from demux_core.rounds.types import RoundConfig


def _prediction_for_metric(prediction: object, task: TaskType) -> object:
    if task is TaskType.QA:
        return prediction[1] if isinstance(prediction, tuple) else ""
    return prediction


def evaluate_model(
    model: TaskModel,
    tokenizer,
    test: Sequence[Example],
    config: RoundConfig,
    progress: bool = False,
    frozen_bottom: FrozenBottom | None = None,
) -> Metrics:
    """Score the labeled ``test`` pool with ``model`` and compute the task metric
    (``frozen_bottom``: as :func:`~demux_core.scoring.pool.score_pool`)."""
    scores = score_pool(model, tokenizer, test, config.scoring, progress=progress,
                        frozen_bottom=frozen_bottom)  # fmt: skip
    task = TaskType(model.task)
    predicted = [_prediction_for_metric(p, task) for p in scores.predictions]
    languages = [example.language for example in test]
    return evaluate(task, gold_labels(test), predicted, languages, tag_scheme=config.tag_scheme)
