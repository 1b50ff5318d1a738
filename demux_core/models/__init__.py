"""Model specs, the offline built-in default model, and loaders.

Public API: :data:`DEFAULT_MODEL_SPEC`, :func:`demux_home`, :func:`resolve_model`,
:func:`load_tokenizer`, :func:`load_encoder`, :func:`load_token_classifier`,
:func:`load_sequence_classifier`. Importing this package does not import torch.
"""

from demux_core.models.loading import (
    load_encoder,
    load_sequence_classifier,
    load_token_classifier,
    load_tokenizer,
)
from demux_core.models.spec import DEFAULT_MODEL_SPEC, demux_home, resolve_model

__all__ = [
    "DEFAULT_MODEL_SPEC",
    "demux_home",
    "load_encoder",
    "load_sequence_classifier",
    "load_token_classifier",
    "load_tokenizer",
    "resolve_model",
]
