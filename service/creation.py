"""Creating projects (from files, read pools or a demo) and deleting them into the trash.

A project is built aside and published whole (:mod:`storage.lifecycle`), so a crash while
importing never leaves a listed, half-made project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from demux_core.data.examples import TaskType
from demux_core.data.readers.bio import TagRepair
from demux_core.data.readers.garbled import GarbledText, garbled_note
from demux_core.errors import DataFormatError
from service.demo import DemoPools, DemoSpec, build_demo_pools
from service.project_settings import DEFAULT_MODEL_SPEC, ProjectSettings
from storage import ProjectStore, create_project, project_path
from storage.lifecycle import (
    building_path,
    clean_unfinished_builds,
    publish,
    remove_files,
    trash_project,
)


@dataclass(frozen=True)
class PoolFile:
    """A data file to import into one pool.

    Attributes
    ----------
    pool : {"source", "target", "test", "seed"}
    path : Path
    reader_options : dict
        Passed to ``demux_core.data.readers.read_examples`` (``format``, ``language``, columns...).
    display_name : str, optional
        What errors call the file (an upload's own name, not its scratch copy's path).
    """

    pool: str
    path: Path
    reader_options: dict[str, Any] = field(default_factory=dict)
    display_name: str | None = None


@dataclass(frozen=True)
class NewProject:
    """Everything needed to create a project."""

    name: str
    task: TaskType
    labels: tuple[str, ...]
    model_spec: str = DEFAULT_MODEL_SPEC
    settings: ProjectSettings = field(default_factory=ProjectSettings)

    def __post_init__(self) -> None:
        """Refuse a label set no round could train on (found at creation, not round 1)."""
        task = TaskType(self.task)
        if task in (TaskType.SEQUENCE, TaskType.PAIR) and len(set(self.labels)) < 2:
            raise ValueError(
                f"a {task.value} project needs at least two labels to choose between, "
                f"got {list(self.labels)}"
            )
        if task == TaskType.TOKEN and not set(self.labels) - {"O"}:
            raise ValueError(
                f"a token project needs at least one tag or entity type besides O, "
                f"got {list(self.labels)}"
            )


def _create_filled(new: NewProject, fill: Callable[[ProjectStore], None]) -> Path:
    """Build the project aside, let ``fill`` add its examples, then publish it atomically.

    On any error the build is removed; a build killed midway is never listed and is
    removed by the next :func:`clean_unfinished_builds` (on server start and before each
    creation).

    Raises
    ------
    FileExistsError
        When a project of that name exists (checked first, and again when publishing).
    """
    if project_path(new.name).exists():
        raise FileExistsError(f"a project called {new.name} exists already")
    clean_unfinished_builds()
    building = building_path(new.name)
    remove_files(building)  # a leftover of this very process
    store = create_project(
        building, new.name, new.task, list(new.labels), new.model_spec, new.settings.to_dict()
    )
    try:
        fill(store)
    except BaseException:
        store.close()
        remove_files(building)
        raise
    store.close()
    try:
        return publish(building, new.name)
    except BaseException:
        remove_files(building)
        raise


def delete_project(name: str, worker: Any = None) -> Path:
    """Move a project to the trash (``<projects>/.trash/``); returns where it went.

    Raises
    ------
    ValueError
        While one of its rounds runs on ``worker`` (the app's round worker).
    StorageError
        When there is no such project.
    """
    if worker is not None and worker.busy_with(project_path(name)):
        raise ValueError(f"a round of {name} is running: wait for it to finish, then delete")
    return trash_project(name)


@dataclass(frozen=True)
class CreatedProject:
    """A project just created, with what the import changed in the data (in words)."""

    path: Path
    notes: tuple[str, ...] = ()


def repair_note(name: str, repairs: Sequence[TagRepair]) -> str | None:
    """One sentence on the BIO repairs of one file (``None`` when there were none)."""
    if not repairs:
        return None
    first = repairs[0]
    return (
        f"{name}: {len(repairs)} tag(s) continued no entity and were read as its start "
        f"(first at line {first.line}: {first.old} -> {first.new})"
    )


def create_project_from_files(
    new: NewProject, files: Sequence[PoolFile], repair_garbled: bool = False
) -> CreatedProject:
    """Create a project and import every file; all or nothing.

    Returns the project's path and notes on what the import repaired (orphan ``I-X`` tags
    read as ``B-X``: how many, and the first file and line) and on garbled text (mojibake:
    how many runs, the first file and line; repaired only with ``repair_garbled``).

    Raises
    ------
    ValueError
        When there is no source or no target file, or a setting is invalid.
    DataFormatError
        From a malformed file (names the file and line); no project is left behind.
    FileExistsError
        When a project of that name exists.
    """
    pools = {pool_file.pool for pool_file in files}
    missing = [pool for pool in ("source", "target") if pool not in pools]
    if missing:
        raise ValueError(f"a project needs at least one {' and one '.join(missing)} file")
    notes: list[str] = []

    def fill(store: ProjectStore) -> None:
        for pool_file in files:
            repairs: list[TagRepair] = []
            garbled: list[GarbledText] = []
            name = pool_file.display_name or str(pool_file.path)
            try:
                store.import_examples(pool_file.pool, pool_file.path, repairs=repairs,
                                      garbled=garbled, repair_garbled=repair_garbled,
                                      **pool_file.reader_options)  # fmt: skip
            except DataFormatError as error:
                if pool_file.display_name is None:
                    raise
                raise DataFormatError(name, error.line, error.message) from None
            for note in (repair_note(name, repairs), garbled_note(name, garbled, repair_garbled)):
                if note is not None:
                    notes.append(note)

    return CreatedProject(_create_filled(new, fill), tuple(notes))


def create_project_from_pools(new: NewProject, pools: DemoPools) -> Path:
    """Create a project holding already-read examples (all or nothing)."""

    def fill(store: ProjectStore) -> None:
        for pool in ("source", "target", "test", "seed"):
            examples = getattr(pools, pool)
            if examples:
                store.add_examples(pool, examples, source=f"demo {pool} pool")

    return _create_filled(new, fill)


def create_demo_project(
    spec: DemoSpec,
    data_root: Path,
    name: str | None = None,
    model_spec: str = DEFAULT_MODEL_SPEC,
    notes: list[str] | None = None,
    **settings: Any,
) -> Path:
    """Build the demo's pools from ``data_root`` and store them as a new project.

    ``settings``: :class:`ProjectSettings` fields that replace the demo's (e.g. ``round_mode``).
    ``notes`` receives what reading changed in the data, in words (garbled text repaired).
    """
    pools = build_demo_pools(spec, data_root)
    if notes is not None:
        notes.extend(pools.notes)
    new = NewProject(
        name=name or f"demo-{spec.key}",
        task=spec.task,
        labels=pools.labels,
        model_spec=model_spec,
        settings=ProjectSettings.for_task(
            spec.task, **{"budget": spec.budget, "k": spec.k, **settings}
        ),
    )
    return create_project_from_pools(new, pools)


def collect_labels(task: TaskType, files: Sequence[PoolFile]) -> tuple[str, ...]:
    """The label schema found in the gold labels of ``files`` (sorted; ``O`` first for tags).

    Used when the user leaves the label list empty. QA has no label schema.

    Raises
    ------
    ValueError
        When no file holds any label (the schema must then be typed in).
    """
    from demux_core.data.readers import read_examples

    if task == TaskType.QA:
        return ()
    found: set[str] = set()
    for pool_file in files:
        for example in read_examples(pool_file.path, task=task, **pool_file.reader_options):
            gold = example.gold
            if gold is None:
                continue
            found.update(gold if task == TaskType.TOKEN else [gold])  # type: ignore[arg-type]
    if not found:
        raise ValueError("no file has labels: type the label schema (comma-separated)")
    if task == TaskType.TOKEN:  # a BIO type seen once as B-X (or a repaired I-X) gets both
        found |= {f"{prefix}-{tag[2:]}" for tag in found if tag[:2] in ("B-", "I-")
                  for prefix in "BI"}  # fmt: skip
    ordered = sorted(found - {"O"})
    return ("O", *ordered) if task == TaskType.TOKEN else tuple(ordered)


def parse_label_list(text: str) -> tuple[str, ...]:
    """``"a, b ,c"`` -> ``("a", "b", "c")``; repeated labels are an error."""
    labels = tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"labels repeat: {repeated}")
    return labels
