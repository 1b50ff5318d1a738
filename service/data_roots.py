"""Server-side paths: only files inside the configured data roots may be imported.

The roots are ``$DEMUX_DATA_ROOTS`` (folders separated by ``os.pathsep``) when set, else
the data folder ``$DEMUX_HOME/data`` and the demo data folder (``$DEMUX_DATA``, or
``../shared/data`` where it exists). A path is resolved after symlinks and must lie inside
a root; a relative path is read inside the roots, never from the server's working folder.
Refusals never say whether a file outside the roots exists, and nothing outside them is
ever opened, so no error can quote it.
"""

from __future__ import annotations

import os
from pathlib import Path

from demux_core.data.readers import shared_data_dir
from demux_core.errors import DemuxError
from service.demo_download import download_dir

DATA_ROOTS_ENV = "DEMUX_DATA_ROOTS"
MAX_FOLDER_FILES = 10_000


class PathNotAllowedError(DemuxError, ValueError):
    """A server path lies outside the configured data roots (or could not be checked)."""


def data_roots() -> tuple[Path, ...]:
    """The folders server paths may point into, resolved (missing ones included)."""
    configured = os.environ.get(DATA_ROOTS_ENV)
    if configured:
        folders = [Path(part) for part in configured.split(os.pathsep) if part.strip()]
    else:
        folders = [download_dir(), *filter(None, [shared_data_dir()])]
    roots: list[Path] = []
    for folder in folders:
        resolved = folder.expanduser().resolve()
        if resolved not in roots:
            roots.append(resolved)
    return tuple(roots)


def roots_text(roots: tuple[Path, ...] | None = None) -> str:
    """The roots as one line, for messages and help texts."""
    roots = data_roots() if roots is None else roots
    return ", ".join(str(root) for root in roots) or "none configured"


def resolve_server_path(text: str) -> Path:
    """The file or folder ``text`` names, checked to lie inside the data roots.

    Parameters
    ----------
    text : str
        As the user typed it: absolute, or relative to a data root (the first root that
        holds it).

    Raises
    ------
    PathNotAllowedError
        When it resolves (after symlinks, ``..`` and, for a folder, every file in it)
        outside every root. The message names the path as typed and the roots only.
    FileNotFoundError
        When it is inside a root but does not exist.
    """
    roots = data_roots()
    typed = Path(text.strip())
    if not text.strip():
        raise PathNotAllowedError("an empty server path")
    candidates = [typed] if typed.is_absolute() else [root / typed for root in roots]
    inside = [path.resolve() for path in candidates if _inside(path.resolve(), roots)]
    if not inside:
        raise PathNotAllowedError(
            f"{text.strip()} is outside the allowed data folders ({roots_text(roots)}); "
            f"an administrator can add folders with {DATA_ROOTS_ENV}"
        )
    found = next((path for path in inside if path.exists()), None)
    if found is None:
        raise FileNotFoundError(f"no such file or folder in the data folders: {text.strip()}")
    if found.is_dir():
        _check_folder(found, roots, text.strip())
    return found


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _check_folder(folder: Path, roots: tuple[Path, ...], typed: str) -> None:
    """Every file in a folder must resolve inside the roots too (no symlink out of it)."""
    for count, path in enumerate(folder.rglob("*")):
        if count >= MAX_FOLDER_FILES:
            raise PathNotAllowedError(f"{typed} holds more than {MAX_FOLDER_FILES} files")
        if not _inside(path.resolve(), roots):
            raise PathNotAllowedError(
                f"{typed} links to a file outside the allowed data folders ({roots_text(roots)})"
            )
