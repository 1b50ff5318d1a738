"""Model specs: the built-in default, local folders and Hugging Face ids."""

from __future__ import annotations

import os
from pathlib import Path

from demux_core.errors import ModelSpecError

DEFAULT_MODEL_SPEC = "builtin:multilingual-e5-small"
_DEFAULT_ALIASES = frozenset({"default", DEFAULT_MODEL_SPEC})
_HOME_ENV = "DEMUX_HOME"


def demux_home() -> Path:
    """The DeMuX Studio cache folder: ``$DEMUX_HOME``, else ``~/.cache/demux-studio``."""
    configured = os.environ.get(_HOME_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "demux-studio"


def is_default_spec(spec: str | None) -> bool:
    """True for ``None``, ``"default"`` and :data:`DEFAULT_MODEL_SPEC`."""
    return spec is None or spec.strip() in _DEFAULT_ALIASES


def _looks_like_path(spec: str) -> bool:
    """Specs that can only mean a folder (HF ids are ``name`` or ``org/name``)."""
    return (
        spec.startswith(("/", ".", "~"))
        or "\\" in spec
        or spec.count("/") > 1
        or os.path.isabs(spec)
    )


def resolve_model(spec: str | None) -> Path | str:
    """Turn a model spec into something ``from_pretrained`` accepts.

    Parameters
    ----------
    spec : str or None
        ``None``, ``"default"`` or ``"builtin:multilingual-e5-small"`` (the bundled model,
        converted once into ``demux_home()``); a local folder holding ``config.json``; or a
        Hugging Face id such as ``"xlm-roberta-large"`` (needs internet or the HF cache).

    Returns
    -------
    Path or str
        A folder (``Path``) for the default and for local specs, the id (``str``) otherwise.

    Raises
    ------
    ModelSpecError
        An unknown ``builtin:`` name, a missing folder, or a folder without ``config.json``.
    """
    if is_default_spec(spec):
        from demux_core.models.convert import ensure_default_model

        return ensure_default_model()
    spec = spec.strip()
    if not spec:
        raise ModelSpecError("empty model spec: give a Hugging Face id, a folder, or 'default'")
    if spec.startswith("builtin:"):
        raise ModelSpecError(
            f"unknown built-in model {spec!r}: the only built-in is {DEFAULT_MODEL_SPEC!r}"
        )
    folder = Path(spec).expanduser()
    if folder.exists() or _looks_like_path(spec):
        return _checked_folder(folder)
    return spec


def _checked_folder(folder: Path) -> Path:
    if not folder.exists():
        raise ModelSpecError(f"model folder {folder} does not exist")
    if not folder.is_dir():
        raise ModelSpecError(f"model path {folder} is a file, not a model folder")
    if not (folder / "config.json").is_file():
        raise ModelSpecError(f"model folder {folder} has no config.json (not a Hugging Face model)")
    return folder.resolve()
