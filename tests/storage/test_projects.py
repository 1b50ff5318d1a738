"""Creating, opening, locating and backing up project files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from demux_core.data.examples import TaskType
from storage import (
    SCHEMA_VERSION,
    StorageError,
    create_project,
    demux_home,
    list_project_paths,
    open_project,
    project_path,
)
from tests.storage.conftest import TOPICS, sequence_examples


def test_create_then_open_keeps_project_info(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "demo.sqlite"
    create_project(path, "demo", "pair", ["yes", "no"], "spec", {"budget": 5}).close()
    with open_project(path) as store:
        info = store.info()
        assert (info.name, info.task, info.labels) == ("demo", TaskType.PAIR, ("yes", "no"))
        assert (info.model_spec, info.settings) == ("spec", {"budget": 5})
        assert store.update_project(settings={"budget": 7}).settings == {"budget": 7}
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_create_refuses_existing_file_and_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    create_project(path, "p", "token", ["PER"], "m").close()
    with pytest.raises(FileExistsError):
        create_project(path, "p", "token", ["PER"], "m")
    with pytest.raises(ValueError, match="repeat"):
        create_project(tmp_path / "q.sqlite", "q", "token", ["PER", "PER"], "m")
    with pytest.raises(ValueError):
        create_project(tmp_path / "r.sqlite", "r", "regression", [], "m")


def test_open_rejects_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no project file"):
        open_project(tmp_path / "absent.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not"):
        open_project(junk)


def test_open_rejects_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    create_project(path, "p", "token", ["PER"], "m").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        open_project(path)


def test_project_paths_follow_demux_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMUX_PROJECTS", raising=False)
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path / "home"))
    path = project_path("ner-hau")
    assert path == tmp_path / "home" / "projects" / "ner-hau.sqlite"
    create_project(path, "ner-hau", "token", ["PER"], "m").close()
    assert list_project_paths() == [path]
    for bad in ("../evil", "", "a/b", "x.sqlite"):
        with pytest.raises(ValueError):
            project_path(bad)


def test_backup_is_a_complete_openable_copy(store, tmp_path: Path) -> None:
    key = store.example_key("source", "s1")
    store.save_annotation(key, "sports", annotator="ann")
    emb = np.arange(20 * 4, dtype=np.float32).reshape(20, 4)
    store.save_scores("v1", None, "source", np.zeros(20), [None] * 20, emb)
    dest = store.backup(tmp_path / "backups" / "copy.sqlite")
    with open_project(dest) as copy:
        assert copy.integrity_check() == "ok"
        assert copy.current_labels() == {key: "sports"}
        assert copy.pool_examples("source") == sequence_examples(20)
        np.testing.assert_array_equal(copy.load_scores("v1", "source")[2], emb)
    with pytest.raises(FileExistsError):
        store.backup(dest)
    assert store.info().labels == TOPICS


def test_closed_store_refuses_use(store) -> None:
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.pool_sizes()


def test_demux_projects_moves_only_the_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DEMUX_PROJECTS", str(tmp_path / "elsewhere"))
    assert project_path("p") == tmp_path / "elsewhere" / "p.sqlite"
    assert demux_home() == tmp_path / "home"
