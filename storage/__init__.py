"""The SQLite project store: one file per project, written only through this package.

Entry points: :func:`create_project`, :func:`open_project` and :class:`ProjectStore`.
"""

from storage.claims import LEASE_S, Claim
from storage.connection import ConnectionSettings
from storage.errors import InvalidAnnotationError, ItemTakenError, StorageBusyError, StorageError
from storage.paths import demux_home, list_project_paths, project_path, projects_dir
from storage.projects import ProjectStore, create_project, open_project
from storage.records import Annotation, Label, ProjectInfo, Round, Selection, StoredExample
from storage.schema import POOLS, SCHEMA_VERSION

__all__ = [
    "POOLS",
    "SCHEMA_VERSION",
    "LEASE_S",
    "Annotation",
    "Claim",
    "ConnectionSettings",
    "InvalidAnnotationError",
    "ItemTakenError",
    "Label",
    "ProjectInfo",
    "ProjectStore",
    "Round",
    "Selection",
    "StorageBusyError",
    "StorageError",
    "StoredExample",
    "create_project",
    "demux_home",
    "list_project_paths",
    "open_project",
    "project_path",
    "projects_dir",
]
