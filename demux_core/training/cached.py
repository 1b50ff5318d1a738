"""Training the top of the encoder from the cached output of its frozen bottom layers.

With ``TrainingConfig.frozen_layers = n`` the word embeddings and the bottom ``n`` layers do
not train: their output for each training example is computed once (eval mode, no
gradient, under the configured precision) and every epoch runs only layers ``n`` and up and
the head. The training loop is the same (batches, order, optimiser, schedule)
(:func:`demux_core.training.fine_tune.fine_tune` takes its batch losses from here when
``frozen_layers`` is set).
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from demux_core.data.examples import TaskType
from demux_core.models.features import IGNORE_INDEX
from demux_core.models.layers import encoder_layers, freeze_bottom, top
from demux_core.models.lower_cache import LowerLayerCache, pad_states
from demux_core.models.task_model import TaskModel
from demux_core.training.fine_tune import loss_from_logits


def frozen_count(frozen_layers: int, layers: int) -> int:
    """How many bottom layers ``TrainingConfig.frozen_layers`` freezes in a ``layers``-deep
    encoder: N >= 0 freezes N, N < 0 all but the top ``-N`` (at least 0).

    Raises
    ------
    ValueError
        When N >= 0 asks for more layers than the encoder has.
    """
    if frozen_layers < 0:
        return max(0, layers + frozen_layers)
    if frozen_layers > layers:
        raise ValueError(f"frozen_layers={frozen_layers}, but the encoder has {layers} layers")
    return frozen_layers


def _batch(features, cached, indices, task: TaskType, device):
    """Padded cached states (b, L, d), mask (b, L) and targets of one batch."""
    hidden, mask = pad_states([cached[i] for i in indices], device)
    longest = hidden.shape[1]
    if task is TaskType.TOKEN:
        targets = np.full((len(indices), longest), IGNORE_INDEX, dtype=np.int64)
        for row, index in enumerate(indices):
            targets[row, : len(features[index].target)] = features[index].target
    else:
        targets = np.array([features[index].target for index in indices], dtype=np.int64)
    return hidden, mask, torch.from_numpy(targets).to(device)


@contextlib.contextmanager
def cached_batch_losses(
    model: TaskModel, pad_id: int, features, config, device, cache: LowerLayerCache | None = None
):
    """Freeze the bottom layers, cache their outputs, and yield ``(loss(indices), bar label)``
    computing a batch's loss through the top layers only; None when nothing is frozen
    (``frozen_layers`` resolves to 0 for this encoder). Unfreezes afterwards.

    ``cache`` (a :class:`~demux_core.models.lower_cache.LowerLayerCache`) supplies the states
    it already holds for these weights and keeps the new ones; None computes them all."""
    n = frozen_count(config.frozen_layers, len(encoder_layers(model)))
    if n == 0:
        yield None
        return
    freeze_bottom(model, n)
    try:
        cache = LowerLayerCache() if cache is None else cache
        cached = cache.states(model, features, pad_id, n, device, config.precision)
        cache.flush()

        def loss(indices):
            hidden, mask, targets = _batch(features, cached, indices, model.task, device)
            return loss_from_logits(model.task, top(model, hidden, mask, n).logits, mask, targets)

        yield loss, f"fine-tuning (top of {n} frozen layers)"
    finally:
        freeze_bottom(model, n, frozen=False)
        model.freeze_word_embeddings(config.freeze_word_embeddings)
