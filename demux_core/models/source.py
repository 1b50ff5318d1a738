"""Where a model spec's weights come from: a folder, the packaged default, or a hub id.

Kept apart from :mod:`demux_core.models.task_model`, and free of torch at import time, so that
code which only needs a tokenizer's folder does not load the model class.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from demux_core.errors import ModelSpecError

if TYPE_CHECKING:
    from torch import nn


def resolve_model_source(spec: str | Path | None) -> str:
    """A folder (or hub id) ``from_pretrained`` can load for a model spec.

    An existing folder is used as is; anything else (``None`` = the default model, an
    alias, a hub id) goes through ``demux_core.models.resolve_model``.
    """
    if spec is not None and Path(spec).is_dir():
        return str(spec)
    try:
        from demux_core.models import resolve_model
    except ImportError as error:
        if spec is None:
            raise ModelSpecError("no model given and demux_core.models is unavailable") from error
        return str(spec)
    return str(resolve_model(None if spec is None else str(spec)))


def load_encoder_from(source: str) -> nn.Module:
    """Load a bare encoder (no pooler) from a folder or id; offline-friendly errors."""
    from transformers import AutoModel

    try:
        try:
            return AutoModel.from_pretrained(source, add_pooling_layer=False)
        except TypeError:  # model classes without a pooler flag
            return AutoModel.from_pretrained(source)
    except OSError as error:
        raise ModelSpecError(f"cannot load an encoder from {source!r}: {error}") from error
