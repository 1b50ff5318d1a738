"""Score a pool with a linear head over frozen encoder features (pure numpy).

The frozen-encoder recipe's counterpart of :func:`demux_core.scoring.pool.score_pool`: the same
uncertainty (margin ``log p(top1) - log p(top2)``, lower = more uncertain = picked first by
the uncertainty strategies; token tasks aggregate the per-word margins with ``min``/``mean``/
``max``) and the same predictions, computed from :class:`FrozenFeatures` without the encoder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from demux_core.data.examples import Example, TaskType, TokenExample
from demux_lab.frozen_head.features import FrozenFeatures
from demux_lab.frozen_head.head_training import HeadTrainingError, LinearHead, head_logits, margins

NO_WORD_MARGIN = 1e6  # a sentence without any scored word is never "uncertain"


@dataclass(frozen=True)
class HeadScores:
    """Per-example outputs of a head over one pool, in input order.

    Attributes
    ----------
    uncertainty : np.ndarray, shape (n,), float64
        Margin; lower = more uncertain.
    predictions : list
        token: tuple of tags per example; sequence/pair: label.
    model_version : str
        Encoder version + head version.
    """

    uncertainty: np.ndarray
    predictions: list
    model_version: str


def score_features(
    head: LinearHead,
    features: FrozenFeatures,
    labels: Sequence[str],
    aggregation: str = "min",
) -> HeadScores:
    """Margins and predictions of ``head`` on every example of ``features``."""
    logits = head_logits(head, features.head_inputs)
    row_margins = margins(logits)
    best = logits.argmax(axis=1)
    version = f"{features.model_version}+{head.version}"
    if features.task is not TaskType.TOKEN:
        return HeadScores(row_margins, [labels[i] for i in best], version)
    fallback = "O" if "O" in labels else labels[0]
    reduce = {"min": np.min, "mean": np.mean, "max": np.max}[aggregation]
    uncertainty = np.empty(len(features), dtype=np.float64)
    predictions = []
    for index in range(len(features)):
        rows = slice(features.word_offsets[index], features.word_offsets[index + 1])
        valid = features.word_valid[rows]
        scored = row_margins[rows][valid]
        uncertainty[index] = reduce(scored) if scored.size else NO_WORD_MARGIN
        tags = [labels[i] for i in best[rows]]
        predictions.append(tuple(t if ok else fallback for t, ok in zip(tags, valid, strict=True)))
    return HeadScores(uncertainty, predictions, version)


def labeled_rows(
    examples: Sequence[Example],
    features: FrozenFeatures,
    indices: Sequence[int],
    label_to_id: Mapping[str, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``features.head_inputs`` and their class ids for the labeled ``indices``.

    Returns
    -------
    rows : np.ndarray, shape (M,), int64
        Token tasks: every scored word of each example; else the example rows.
    targets : np.ndarray, shape (M,), int64

    Raises
    ------
    HeadTrainingError
        When an example has no gold label or a label outside the schema (naming both).
    """
    rows: list[int] = []
    targets: list[int] = []
    for index in indices:
        example = examples[index]
        gold = example.gold
        if gold is None:
            raise HeadTrainingError(f"example {example.id} has no label")
        if isinstance(example, TokenExample):
            start = int(features.word_offsets[index])
            for word, tag in enumerate(gold):
                if features.word_valid[start + word]:
                    rows.append(start + word)
                    targets.append(_label_id(example, tag, label_to_id))
        else:
            rows.append(int(index))
            targets.append(_label_id(example, gold, label_to_id))
    return np.asarray(rows, dtype=np.int64), np.asarray(targets, dtype=np.int64)


def _label_id(example: Example, label: str, label_to_id: Mapping[str, int]) -> int:
    if label not in label_to_id:
        known = ", ".join(label_to_id)
        raise HeadTrainingError(f"example {example.id}: label {label!r} is not one of {known}")
    return label_to_id[label]
