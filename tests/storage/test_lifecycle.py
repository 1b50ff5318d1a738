"""Projects are built aside, published whole, and deleted into a trash folder."""

from __future__ import annotations

import os

import pytest

from storage import StorageError, create_project, list_project_paths, open_project, project_path
from storage.lifecycle import (
    BUILDING_DIR,
    building_path,
    clean_unfinished_builds,
    publish,
    trash_project,
)
from tests.storage.conftest import TOPICS, sequence_examples


@pytest.fixture
def projects(tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    monkeypatch.setenv("DEMUX_PROJECTS", str(folder))
    return folder


def build(name: str, n: int = 5):
    store = create_project(building_path(name), name, "sequence", TOPICS, "m")
    store.add_examples("source", sequence_examples(n))
    return store


def test_a_build_is_invisible_until_published_whole(projects) -> None:
    store = build("p")
    assert list_project_paths() == []
    store.close()
    path = publish(building_path("p"), "p")
    assert list_project_paths() == [path]
    assert not any((projects / BUILDING_DIR).iterdir())
    reopened = open_project(path)
    assert reopened.pool_size("source") == 5 and reopened.integrity_check() == "ok"
    reopened.close()


def test_publishing_never_replaces_a_project_of_the_same_name(projects) -> None:
    build("p").close()
    publish(building_path("p"), "p")
    build("p", n=2).close()
    with pytest.raises(FileExistsError):
        publish(building_path("p"), "p")
    store = open_project(project_path("p"))
    assert store.pool_size("source") == 5
    store.close()


def test_only_builds_of_dead_processes_are_cleaned(projects) -> None:
    build("mine").close()
    dead = projects / BUILDING_DIR / "old.999999999.sqlite"
    dead.write_bytes(b"half a file")
    assert clean_unfinished_builds() == [dead]
    assert building_path("mine").exists()  # this process's own build stays


def test_trash_keeps_the_project_out_of_the_list_but_on_disk(projects) -> None:
    build("p").close()
    publish(building_path("p"), "p")
    (projects / "p.artifacts").mkdir()
    (projects / "p.artifacts" / "emb.npy").write_bytes(b"x")
    folder = trash_project("p")
    assert list_project_paths() == []
    assert sorted(os.listdir(folder)) == ["p.artifacts", "p.sqlite"]
    store = open_project(folder / "p.sqlite")
    assert store.pool_size("source") == 5
    store.close()
    with pytest.raises(StorageError, match="no project called p"):
        trash_project("p")
