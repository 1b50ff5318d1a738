"""Listing and opening projects (files under ``$DEMUX_HOME/projects``); re-exports the
settings (:mod:`service.project_settings`) and creation (:mod:`service.creation`) API."""

from __future__ import annotations

from pathlib import Path

from service.creation import (
    CreatedProject,
    NewProject,
    PoolFile,
    collect_labels,
    create_demo_project,
    create_project_from_files,
    create_project_from_pools,
    delete_project,
    parse_label_list,
    repair_note,
)
from service.project_settings import (
    DEFAULT_MODEL_SPEC,
    ENGINES,
    STRATEGY_NAMES,
    ProjectSettings,
)
from storage import ProjectStore, list_project_paths, open_project
from storage.lifecycle import clean_unfinished_builds

__all__ = [
    "DEFAULT_MODEL_SPEC",
    "ENGINES",
    "STRATEGY_NAMES",
    "CreatedProject",
    "NewProject",
    "PoolFile",
    "ProjectSettings",
    "clean_unfinished_builds",
    "collect_labels",
    "create_demo_project",
    "create_project_from_files",
    "create_project_from_pools",
    "delete_project",
    "list_projects",
    "open_store",
    "parse_label_list",
    "project_settings",
    "repair_note",
]


def list_projects() -> list[Path]:
    """Project files under ``$DEMUX_HOME/projects``, sorted by name."""
    return list_project_paths()


def open_store(path: Path) -> ProjectStore:
    """Open a project file (migrating it forward if needed)."""
    return open_project(path)


def project_settings(store: ProjectStore) -> ProjectSettings:
    """The selection settings of an open project."""
    return ProjectSettings.from_dict(store.info().settings)
