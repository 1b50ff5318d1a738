"""The encoder run in two parts: the bottom ``n`` layers, then the rest and the task head.

A round that freezes the bottom layers (``TrainingConfig.frozen_layers``) runs them once per
sentence and trains only the top from their cached output. Works for encoders that expose
``embeddings`` and ``encoder.layer`` (BERT, XLM-R and the default multilingual-e5); others get a
:class:`~demux_core.errors.ModelSpecError`. In eval mode ``top(bottom(x, n), n)`` equals a
full forward pass (tests/demux_core/models/test_layers_split.py).
"""

from __future__ import annotations

import torch
from transformers.masking_utils import create_bidirectional_mask

from demux_core.data.examples import TaskType
from demux_core.errors import ModelSpecError
from demux_core.models.task_model import TaskModel, TaskOutput, _pool


def encoder_layers(model: TaskModel) -> torch.nn.ModuleList:
    """The transformer layers of ``model``'s encoder, bottom first."""
    layers = getattr(getattr(model.encoder, "encoder", None), "layer", None)
    if layers is None or not hasattr(model.encoder, "embeddings"):
        raise ModelSpecError(
            f"{type(model.encoder).__name__} does not expose embeddings and encoder.layer: "
            "frozen_layers needs a BERT-style encoder (set frozen_layers to 0)"
        )
    return layers


def _mask(model: TaskModel, hidden: torch.Tensor, attention_mask: torch.Tensor):
    return create_bidirectional_mask(
        config=model.encoder.config, inputs_embeds=hidden, attention_mask=attention_mask
    )


def bottom(
    model: TaskModel, input_ids: torch.Tensor, attention_mask: torch.Tensor, n: int
) -> torch.Tensor:
    """(b, L, d) output of the bottom ``n`` transformer layers (0: the word embeddings)."""
    layers = encoder_layers(model)
    if not 0 <= n <= len(layers):
        raise ValueError(f"n={n} is outside 0..{len(layers)}")
    hidden = model.encoder.embeddings(input_ids=input_ids)
    mask = _mask(model, hidden, attention_mask)
    for layer in layers[:n]:
        hidden = layer(hidden, mask)
    return hidden


def top(model: TaskModel, hidden: torch.Tensor, attention_mask: torch.Tensor, n: int) -> TaskOutput:
    """Layers ``n`` and up, then the head, from :func:`bottom`'s output."""
    layers = encoder_layers(model)
    mask = _mask(model, hidden, attention_mask)
    for layer in layers[n:]:
        hidden = layer(hidden, mask)
    if model.task in (TaskType.SEQUENCE, TaskType.PAIR):
        features = _pool(hidden, attention_mask, model.pooling)
    else:
        features = hidden
    return TaskOutput(hidden=hidden, logits=model.head(model.dropout(features)))


def freeze_bottom(model: TaskModel, n: int, frozen: bool = True) -> None:
    """Stop (or restart) training the embeddings and the bottom ``n`` layers."""
    for parameter in model.encoder.embeddings.parameters():
        parameter.requires_grad_(not frozen)
    for layer in encoder_layers(model)[:n]:
        for parameter in layer.parameters():
            parameter.requires_grad_(not frozen)
