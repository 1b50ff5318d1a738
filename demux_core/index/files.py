"""The files of a pool index, each written so that a kill at any moment leaves a usable state.

Layout under the index folder (a project keeps it in ``artifacts/pool-index``)::

    current.json                   the last COMPLETE index: generation, rows, files, search
    <generation>/manifest.json     the build in progress or done: one entry per embedded chunk
    <generation>/<pool>-c<start>.npy          one chunk of vectors
    <generation>/<pool>-n<rows>-<digest>.npy  a whole pool, assembled from the chunks
    <generation>/source-n<rows>.ivf           the approximate search index (large pools)
    <generation>/map-n<rows>-<digest>.npy     fixed 2-D map coordinates (source then target)

``<generation>`` is the model fingerprint: a different model builds a new generation beside
the old one, and ``current.json`` moves only when the new one is complete. Every file is
written to a ``.tmp`` name, flushed and renamed over its final name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

CURRENT_FILE = "current.json"
MANIFEST_FILE = "manifest.json"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a flushed temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_json(path: Path, value: Any) -> None:
    write_atomically(path, json.dumps(value, indent=1, sort_keys=True).encode("utf-8"))


def read_json(path: Path) -> Any | None:
    """The JSON in ``path``; None when it is missing or unreadable (a half-written file is
    never at the final name, so unreadable means damaged by hand)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_array(path: Path, array: np.ndarray) -> None:
    """Save one array as ``.npy`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(array, dtype=np.float32))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def assemble(path: Path, parts: Iterable[np.ndarray], rows: int, dim: int) -> None:
    """Stream ``parts`` (in row order, ``rows`` rows in all) into one ``.npy`` at ``path``.

    Only one part is in memory at a time: the output is a memory map, renamed into place
    once complete.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp.npy")
    out = np.lib.format.open_memmap(temporary, mode="w+", dtype=np.float32, shape=(rows, dim))
    start = 0
    for part in parts:
        out[start : start + len(part)] = part
        start += len(part)
    if start != rows:
        raise ValueError(f"assembling {path.name}: parts hold {start} rows, expected {rows}")
    out.flush()
    del out
    os.replace(temporary, path)


def remove_temporary(folder: Path) -> None:
    """Delete leftovers of killed writes (``*.tmp`` and ``*.tmp.npy``) under ``folder``."""
    if folder.is_dir():
        for path in folder.rglob("*.tmp*"):
            path.unlink(missing_ok=True)
