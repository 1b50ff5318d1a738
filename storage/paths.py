"""Where projects live on disk.

Projects are single SQLite files under ``$DEMUX_HOME/projects/<name>.sqlite``
(``DEMUX_HOME`` defaults to ``~/.cache/demux-studio``), or under ``$DEMUX_PROJECTS`` when
that is set (the model cache stays in ``$DEMUX_HOME/models``, so a test can use a scratch
projects folder with the real, already converted model). Large arrays (embeddings) live in
a folder beside the file: ``<name>.sqlite`` -> ``<name>.artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_SUFFIX = ".sqlite"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def demux_home() -> Path:
    """The DeMuX Studio data folder: ``$DEMUX_HOME`` or ``~/.cache/demux-studio``."""
    env = os.environ.get("DEMUX_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "demux-studio"


PROJECTS_ENV = "DEMUX_PROJECTS"


def projects_dir() -> Path:
    """The folder holding one ``.sqlite`` file per project (not created here):
    ``$DEMUX_PROJECTS``, else ``$DEMUX_HOME/projects``."""
    env = os.environ.get(PROJECTS_ENV)
    return Path(env).expanduser() if env else demux_home() / "projects"


def project_path(name: str) -> Path:
    """The file of the project called ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a safe file name (letters, digits, ``.``, ``_``, ``-``).
    """
    if not _SAFE_NAME.match(name) or name.endswith(PROJECT_SUFFIX):
        raise ValueError(
            f"project name {name!r} must be 1-128 letters, digits, '.', '_' or '-' "
            f"(starting with a letter or digit, without the {PROJECT_SUFFIX} suffix)"
        )
    return projects_dir() / f"{name}{PROJECT_SUFFIX}"


def list_project_paths() -> list[Path]:
    """Every project file under :func:`projects_dir`, sorted by name."""
    folder = projects_dir()
    return sorted(folder.glob(f"*{PROJECT_SUFFIX}")) if folder.is_dir() else []


def artifacts_dir(db_path: Path) -> Path:
    """The folder beside a project file that holds its ``.npy`` arrays."""
    return db_path.with_suffix(".artifacts")
