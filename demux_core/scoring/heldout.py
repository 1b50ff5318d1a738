"""Fit a round's margin calibration on a labeled held-out set (the torch side of calibration).

:func:`fit_margin_scaling` runs the model over the held-out examples, keeps the raw logits of
every labeled row (one per sentence for sequence/pair tasks, one per scored word for token
tasks) and fits :class:`~demux_core.scoring.calibration.VectorScaling` on them. The held-out set is in
SOURCE languages (never the target test set): it calibrates the margins the source pool is
ranked by.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from demux_core.config import ScoringConfig
from demux_core.data.examples import Example, TaskType, TokenExample
from demux_core.errors import DemuxError
from demux_core.models.features import encode_examples, pad_batch
from demux_core.models.task_model import TaskModel
from demux_core.runtime import configure_threads, pick_device
from demux_core.scoring.calibration import VectorScaling, fit_vector_scaling


def heldout_logits(
    model: TaskModel, tokenizer, examples: Sequence[Example], config: ScoringConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Raw logits and gold class indices of the labeled held-out rows.

    Returns
    -------
    logits : ndarray, shape (m, C), float32
        One row per sequence/pair example, or per scored word of a token example (words cut
        by ``max_length`` have no logits and are left out).
    labels : ndarray, shape (m,), int64
        Index of the gold label in ``model.labels``.

    Raises
    ------
    DemuxError
        A QA model (its scores are span log-probabilities, not class margins), an example
        without a gold label, or a gold label the model does not have.
    """
    task = TaskType(model.task)
    if task is TaskType.QA:
        raise DemuxError("margin calibration is for token and sequence/pair tasks, not QA")
    if not examples:
        raise DemuxError("margin calibration needs a labeled held-out set; it is empty")
    index = {label: i for i, label in enumerate(model.labels)}
    features = encode_examples(tokenizer, examples, task, max_length=config.max_length)
    device = pick_device(config.device)
    model = model.to(device)
    was_training = model.training
    threads_before = torch.get_num_threads()
    configure_threads(config.num_threads)
    model.eval()
    rows: list[np.ndarray] = []
    gold: list[int] = []
    try:
        with torch.inference_mode():
            for start in range(0, len(features), config.batch_size):
                batch = features[start : start + config.batch_size]
                ids, mask = (
                    torch.from_numpy(a).to(device) for a in pad_batch(batch, tokenizer.pad_token_id)
                )
                logits = model(ids, mask).logits.float().cpu().numpy()
                for row, feature in enumerate(batch):
                    example = examples[feature.example_index]
                    if isinstance(example, TokenExample):
                        tags = _gold(example, example.tags)
                        for position, word in zip(
                            feature.word_positions, feature.word_indices, strict=True
                        ):
                            rows.append(logits[row, position])
                            gold.append(_label_index(index, tags[word], example))
                    else:
                        rows.append(logits[row])
                        gold.append(_label_index(index, _gold(example, example.label), example))
    finally:
        model.train(was_training)
        torch.set_num_threads(threads_before)
    if not rows:
        raise DemuxError("the held-out set has no scored row to calibrate margins on")
    return np.stack(rows).astype(np.float32), np.asarray(gold, dtype=np.int64)


def fit_margin_scaling(
    model: TaskModel,
    tokenizer,
    examples: Sequence[Example],
    config: ScoringConfig,
    *,
    l2: float = 1e-2,
) -> VectorScaling:
    """Per-class scales and biases for ``model``'s margins, fitted on the held-out ``examples``."""
    logits, labels = heldout_logits(model, tokenizer, examples, config)
    return fit_vector_scaling(logits, labels, l2=l2)


def _gold(example: Example, value):
    if value is None:
        raise DemuxError(f"held-out example {example.id!r} has no gold label")
    return value


def _label_index(index: dict[str, int], label: str, example: Example) -> int:
    if label not in index:
        raise DemuxError(
            f"held-out example {example.id!r} has label {label!r}, which the model does not "
            f"have (labels: {', '.join(index)})"
        )
    return index[label]
