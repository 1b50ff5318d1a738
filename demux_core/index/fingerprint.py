"""Fingerprints that tie a pool index to the model and the rows it was built from.

An index is reused only while both still match; a changed model or a changed row is
detected here and never used silently (:mod:`demux_core.index.vectors` rebuilds).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

SAMPLE_BYTES = 1 << 20  # head and tail of each weight file enter the fingerprint


def _file_digest(path: Path) -> str:
    """sha256 of a file's size, its first and its last MiB (weights are large; this is fast)."""
    digest = hashlib.sha256(str(path.stat().st_size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(SAMPLE_BYTES))
        if path.stat().st_size > 2 * SAMPLE_BYTES:
            handle.seek(-SAMPLE_BYTES, 2)
            digest.update(handle.read(SAMPLE_BYTES))
    return digest.hexdigest()


def model_fingerprint(model_source: str | Path, settings: Mapping[str, Any]) -> str:
    """A short hex id of an encoder and the settings its vectors are taken with.

    Parameters
    ----------
    model_source : str or Path
        A model folder (every file in it is fingerprinted by size, head and tail) or a
        hub id (fingerprinted by name).
    settings : mapping
        JSON-serialisable embedding settings (pooling, max length, layer...).

    Returns
    -------
    str -- 16 hex digits
    """
    digest = hashlib.sha256(json.dumps(dict(settings), sort_keys=True).encode())
    folder = Path(model_source)
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(_file_digest(path).encode())
    else:
        digest.update(str(model_source).encode())
    return digest.hexdigest()[:16]


def rows_digest(rows: Iterable[tuple[str, str]]) -> str:
    """sha256 (hex) of (key, text) pairs in order: a chunk of a pool as the index saw it."""
    digest = hashlib.sha256()
    for key, text in rows:
        digest.update(key.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x01")
    return digest.hexdigest()
