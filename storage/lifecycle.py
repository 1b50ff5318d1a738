"""A project's life on disk: built aside, published atomically, moved to the trash.

A new project is written under ``<projects>/.building/`` and appears under its name only
once complete (a hard link, which fails if the name was taken meanwhile), so a crash while
importing never leaves a listed, half-filled project. Leftovers of builds whose process
died are removed by :func:`clean_unfinished_builds`. Deleting a project moves its file,
companions and artifacts folder to ``<projects>/.trash/`` instead of erasing them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

from storage.errors import StorageError
from storage.paths import PROJECT_SUFFIX, artifacts_dir, project_path, projects_dir

BUILDING_DIR = ".building"
TRASH_DIR = ".trash"
COMPANIONS = ("-wal", "-shm")


def building_path(name: str) -> Path:
    """Where the project ``name`` is built by this process (name checked)."""
    project_path(name)  # raises ValueError for an unsafe name
    return projects_dir() / BUILDING_DIR / f"{name}.{os.getpid()}{PROJECT_SUFFIX}"


def publish(building: Path, name: str) -> Path:
    """Make a closed, complete project file visible as ``name``, atomically.

    Folds the write-ahead log into the file first, so the single file is the whole project.

    Raises
    ------
    FileExistsError
        When a project called ``name`` appeared meanwhile (the build is left in place).
    """
    final = project_path(name)
    conn = sqlite3.connect(str(building))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")  # no -wal may stay behind
    finally:
        conn.close()
    _fsync(building)
    os.link(building, final)  # fails if taken; the name appears complete or not at all
    _fsync(final.parent)
    remove_files(building)
    conn = sqlite3.connect(str(final))
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    return final


def remove_files(path: Path) -> None:
    """Delete a project file, its WAL/SHM companions and its artifacts folder."""
    for companion in (path, *(Path(f"{path}{suffix}") for suffix in COMPANIONS)):
        companion.unlink(missing_ok=True)
    shutil.rmtree(artifacts_dir(path), ignore_errors=True)


def clean_unfinished_builds() -> list[Path]:
    """Remove builds whose process is gone (killed mid-import); returns what was removed."""
    folder = projects_dir() / BUILDING_DIR
    removed = []
    for path in sorted(folder.glob(f"*{PROJECT_SUFFIX}")) if folder.is_dir() else []:
        pid = path.name.removesuffix(PROJECT_SUFFIX).rsplit(".", 1)[-1]
        if pid.isdigit() and (int(pid) == os.getpid() or _alive(int(pid))):
            continue  # still being built (by this process or another live one)
        remove_files(path)
        removed.append(path)
    return removed


def trash_project(name: str) -> Path:
    """Move project ``name`` (file, companions, artifacts) into the trash; returns its folder.

    Raises
    ------
    StorageError
        When there is no such project.
    """
    source = project_path(name)
    if not source.is_file():
        raise StorageError(f"no project called {name}")
    conn = sqlite3.connect(str(source))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds every commit
    finally:
        conn.close()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = projects_dir() / TRASH_DIR / f"{name}-{stamp}-{os.getpid()}"
    folder.mkdir(parents=True)
    for companion in (source, *(Path(f"{source}{suffix}") for suffix in COMPANIONS)):
        if companion.exists():  # the file first: from then on the project is not listed
            os.replace(companion, folder / companion.name)
    if artifacts_dir(source).exists():
        os.replace(artifacts_dir(source), folder / artifacts_dir(source).name)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
