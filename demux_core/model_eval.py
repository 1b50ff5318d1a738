"""Evaluate a task model on a labeled pool (the target test set, or a held-out source set)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from demux_core.evaluation import Metrics, evaluate
from demux_core.examples import Example, TaskType
from demux_core.labels import gold_labels
from demux_core.scoring import score_pool
from demux_core.task_model import TaskModel

if TYPE_CHECKING:
    from demux_core.round_types import RoundConfig


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
) -> Metrics:
    """Score the labeled ``test`` pool with ``model`` and compute the task metric."""
    scores = score_pool(model, tokenizer, test, config.scoring, progress=progress)
    task = TaskType(model.task)
    predicted = [_prediction_for_metric(p, task) for p in scores.predictions]
    languages = [example.language for example in test]
    return evaluate(task, gold_labels(test), predicted, languages, tag_scheme=config.tag_scheme)
