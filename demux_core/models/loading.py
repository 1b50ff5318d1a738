"""Load tokenizers, encoders and task models from a model spec (offline-safe).

Local folders (including the converted default) are loaded with ``local_files_only=True``,
so they never touch the Hugging Face hub whatever ``HF_HUB_OFFLINE`` says. A Hugging Face id
is passed through: it loads from the HF cache, or downloads when the hub is reachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from demux_core.errors import ModelSpecError
from demux_core.models.spec import resolve_model

# Families whose bare model accepts ``add_pooling_layer``; the converted default has no pooler.
_POOLER_FAMILIES = frozenset({"bert", "roberta", "xlm-roberta", "camembert"})


def _load_kwargs(resolved: Path | str) -> dict[str, Any]:
    return {"local_files_only": True} if isinstance(resolved, Path) else {}


def _friendly(resolved: Path | str, error: Exception) -> ModelSpecError:
    return ModelSpecError(
        f"cannot load model {str(resolved)!r}: {error}. Offline, use 'default' (the built-in "
        "multilingual-e5-small) or a local folder."
    )


def load_tokenizer(spec: str | None = None) -> Any:
    """Return the fast tokenizer for ``spec`` (see :func:`resolve_model`)."""
    from transformers import AutoTokenizer

    resolved = resolve_model(spec)
    try:
        return AutoTokenizer.from_pretrained(resolved, **_load_kwargs(resolved))
    except OSError as error:
        raise _friendly(resolved, error) from error


def load_encoder(spec: str | None = None) -> Any:
    """Return the bare encoder (``AutoModel``) in eval mode, without a pooler where possible.

    Its ``last_hidden_state`` has shape (batch, seq_len, hidden), float32.
    """
    from transformers import AutoConfig, AutoModel

    resolved = resolve_model(spec)
    kwargs = _load_kwargs(resolved)
    try:
        config = AutoConfig.from_pretrained(resolved, **kwargs)
        if config.model_type in _POOLER_FAMILIES:
            kwargs["add_pooling_layer"] = False
        model = AutoModel.from_pretrained(resolved, config=config, **kwargs)
    except OSError as error:
        raise _friendly(resolved, error) from error
    return model.eval()


def _label_maps(labels: Sequence[str]) -> dict[str, Any]:
    names = [str(label) for label in labels]
    if not names:
        raise ValueError("labels must not be empty")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"labels must be unique; repeated: {duplicates}")
    return {
        "num_labels": len(names),
        "id2label": dict(enumerate(names)),
        "label2id": {name: index for index, name in enumerate(names)},
    }


def load_token_classifier(spec: str | None, labels: Sequence[str]) -> Any:
    """Return ``AutoModelForTokenClassification`` with a fresh head over ``labels``.

    Parameters
    ----------
    spec : str or None
        Model spec (see :func:`resolve_model`).
    labels : sequence of str
        Tag names in id order, e.g. ``["O", "B-PER", "I-PER"]``.
    """
    from transformers import AutoModelForTokenClassification

    resolved = resolve_model(spec)
    try:
        return AutoModelForTokenClassification.from_pretrained(
            resolved, **_label_maps(labels), **_load_kwargs(resolved)
        )
    except OSError as error:
        raise _friendly(resolved, error) from error


def load_sequence_classifier(spec: str | None, labels: Sequence[str]) -> Any:
    """Return ``AutoModelForSequenceClassification`` with a fresh head over ``labels``.

    For the default (``xlm-roberta``) the head reads the ``<s>`` state through its own dense
    layer; no randomly initialised pooler is involved.
    """
    from transformers import AutoModelForSequenceClassification

    resolved = resolve_model(spec)
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            resolved, **_label_maps(labels), **_load_kwargs(resolved)
        )
    except OSError as error:
        raise _friendly(resolved, error) from error
