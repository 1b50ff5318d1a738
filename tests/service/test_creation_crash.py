"""kill -9 while a project is being created never leaves a listed, half-made project."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("create_worker.py")
TARGET_ROWS = 150_000


@pytest.fixture
def data_files(tmp_path):
    source = tmp_path / "source.tsv"
    source.write_text("text\tlabel\n" + "".join(f"s {i}\ta\n" for i in range(3)), encoding="utf-8")
    target = tmp_path / "target.tsv"
    target.write_text("text\n" + "".join(f"target sentence {i}\n" for i in range(TARGET_ROWS)),
                      encoding="utf-8")  # fmt: skip
    return source, target


def create_and_kill(projects: Path, source: Path, target: Path, delay_s: float) -> bool:
    """Run the creation, kill -9 it ``delay_s`` after it started; whether it had finished."""
    process = subprocess.Popen(
        [sys.executable, str(WORKER), str(projects), str(source), str(target), "big"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout.readline().strip() == "started", process.stderr.read()
    time.sleep(delay_s)
    os.kill(process.pid, signal.SIGKILL)
    out, _ = process.communicate(timeout=30)
    return "done" in out


@pytest.mark.slow
def test_killed_creations_are_never_listed_and_free_their_name(tmp_path, data_files, monkeypatch):
    from service.projects import (
        NewProject,
        PoolFile,
        clean_unfinished_builds,
        create_project_from_files,
        list_projects,
        open_store,
    )

    projects = tmp_path / "projects"
    monkeypatch.setenv("DEMUX_PROJECTS", str(projects))
    source, target = data_files
    rng = random.Random(0)
    killed_midway = 0
    for _ in range(5):
        finished = create_and_kill(projects, source, target, rng.uniform(0.3, 2.5))
        listed = [path.stem for path in list_projects()]
        if finished:  # the kill came too late: the project must then be whole
            assert listed == ["big"]
            store = open_store(projects / "big.sqlite")
            assert store.pool_sizes()["target"] == TARGET_ROWS
            store.close()
            (projects / "big.sqlite").unlink()
            continue
        killed_midway += 1
        assert listed == [], "a killed creation left a listed project"
        assert clean_unfinished_builds(), "the killed build should be there to clean up"
        assert not any((projects / ".building").iterdir())
    assert killed_midway >= 3
    new = NewProject("big", "sequence", ("a", "b"))
    files = [PoolFile("source", source, {"language": "eng"}),
             PoolFile("target", target, {"language": "hau"})]  # fmt: skip
    path = create_project_from_files(new, files).path
    store = open_store(path)
    assert store.pool_sizes() == {"source": 3, "target": TARGET_ROWS, "test": 0, "seed": 0}
    assert store.integrity_check() == "ok"
    store.close()
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
