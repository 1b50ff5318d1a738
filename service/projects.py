"""Creating, listing and opening projects (files under ``$DEMUX_HOME/projects``)."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from demux_core.config import check_warm_start_weight
from demux_core.errors import DataFormatError
from demux_core.examples import TaskType
from demux_core.recipes import DEFAULT_K, DEFAULT_STRATEGY, recipe_defaults_text, task_recipe
from service.demo import DemoPools, DemoSpec, build_demo_pools
from storage import ProjectStore, create_project, list_project_paths, open_project, project_path
from storage.paths import artifacts_dir

DEFAULT_MODEL_SPEC = "builtin:multilingual-e5-small"
STRATEGY_NAMES = (
    "knn-uncertainty",
    "balanced-knn-uncertainty",
    "egalitarian-knn-uncertainty",
    "uncertainty-knn",
    "average-dist",
    "uncertainty",
    "egalitarian",
    "random",
)


ENGINES = ("local", "ray")


@dataclass(frozen=True)
class ProjectSettings:
    """Selection and round-training settings stored in the project's ``settings`` dict.

    Attributes
    ----------
    strategy : str
        A name of ``demux_core.strategies.STRATEGIES``.
    budget : int
        Source points selected (to label) per round.
    k : int
        Neighbours per target point for the k-NN strategies.
    seed : int
        Seeds the random parts of selection and training.
    auto_finish : bool
        Queue the next round as soon as every selected point of a round is handled.
    engine : {"local", "ray"}
        Where rounds score the pools: in the round's process, or on Ray (the optional extra,
        ``pip install -r requirements-scale.txt``; see docs/scaling.md).
    keep_best : bool
        Hold out part of the seed pool and keep each round's best epoch on it, the starting
        weights included (``TrainingConfig.keep_best``; off: it blocked most rounds from
        learning in docs/results.md).
    min_train_labels : int
        Rounds train only once this many labels were acquired in all; before that they
        select with the model they have (``TrainingConfig.min_train_labels``; 0 = always).
    warm_start_weight : float
        In [0, 1): after each round, weights become ``w * warm start + (1 - w) * trained``
        (``TrainingConfig.warm_start_weight``; 0 = off; :meth:`for_task` gives the task's
        measured default). The warm start is then kept in the project's artifacts folder.
    """

    strategy: str = DEFAULT_STRATEGY
    budget: int = 20
    k: int = DEFAULT_K
    seed: int = 0
    auto_finish: bool = True
    engine: str = "local"
    keep_best: bool = False
    min_train_labels: int = 0
    warm_start_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.engine == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError(
                "engine 'ray' needs the optional extra: pip install -r requirements-scale.txt"
            )
        if self.strategy not in STRATEGY_NAMES:
            raise ValueError(
                f"strategy {self.strategy!r} is not one of {', '.join(STRATEGY_NAMES)}"
            )
        if self.budget < 1:
            raise ValueError(f"budget must be >= 1, got {self.budget}")
        if self.k < 1:
            raise ValueError(f"k must be >= 1, got {self.k}")
        if self.min_train_labels < 0:
            raise ValueError(f"min_train_labels must be >= 0, got {self.min_train_labels}")
        check_warm_start_weight(self.warm_start_weight)

    @classmethod
    def for_task(
        cls,
        task: str,
        k: int | None = None,
        warm_start_weight: float | None = None,
        **values: Any,
    ) -> ProjectSettings:
        """Settings whose ``k`` and ``warm_start_weight``, when None, are the task's measured
        defaults (:func:`demux_core.recipes.task_recipe`)."""
        recipe = task_recipe(task)
        return cls(
            k=recipe.k if k is None else k,
            warm_start_weight=recipe.warm_start_weight
            if warm_start_weight is None
            else warm_start_weight,
            **values,
        )

    @staticmethod
    def default_k_text() -> str:
        """The task defaults of ``k`` in words, for the new-project form."""
        return recipe_defaults_text("k")

    @staticmethod
    def default_warm_start_weight_text() -> str:
        """The task defaults of ``warm_start_weight`` in words, for the new-project form."""
        return recipe_defaults_text("warm_start_weight")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProjectSettings:
        """Read the known keys of a stored settings dict (others are ignored)."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)


@dataclass(frozen=True)
class PoolFile:
    """A data file to import into one pool.

    Attributes
    ----------
    pool : {"source", "target", "test", "seed"}
    path : Path
    reader_options : dict
        Passed to ``demux_core.readers.read_examples`` (``format``, ``language``, columns...).
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


def list_projects() -> list[Path]:
    """Project files under ``$DEMUX_HOME/projects``, sorted by name."""
    return list_project_paths()


def remove_project_files(path: Path) -> None:
    """Delete a project file, its WAL/SHM companions and its artifacts folder."""
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        companion.unlink(missing_ok=True)
    shutil.rmtree(artifacts_dir(path), ignore_errors=True)


def _create_filled(new: NewProject, fill: Callable[[ProjectStore], None]) -> Path:
    """Create the project file and let ``fill`` add its examples; on any error, remove it."""
    path = project_path(new.name)
    store = create_project(
        path, new.name, new.task, list(new.labels), new.model_spec, new.settings.to_dict()
    )
    try:
        fill(store)
    except BaseException:
        store.close()
        remove_project_files(path)
        raise
    store.close()
    return path


def create_project_from_files(new: NewProject, files: Sequence[PoolFile]) -> Path:
    """Create a project and import every file; all or nothing.

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

    def fill(store: ProjectStore) -> None:
        for pool_file in files:
            try:
                store.import_examples(pool_file.pool, pool_file.path, **pool_file.reader_options)
            except DataFormatError as error:
                if pool_file.display_name is None:
                    raise
                raise DataFormatError(pool_file.display_name, error.line, error.message) from None

    return _create_filled(new, fill)


def create_project_from_pools(new: NewProject, pools: DemoPools) -> Path:
    """Create a project holding already-read examples (all or nothing)."""

    def fill(store: ProjectStore) -> None:
        for pool in ("source", "target", "test", "seed"):
            examples = getattr(pools, pool)
            if examples:
                store.add_examples(pool, examples, source=f"demo {pool} pool")

    return _create_filled(new, fill)


def create_demo_project(spec: DemoSpec, data_root: Path, name: str | None = None) -> Path:
    """Build the demo's pools from ``data_root`` and store them as a new project."""
    pools = build_demo_pools(spec, data_root)
    new = NewProject(
        name=name or f"demo-{spec.key}",
        task=spec.task,
        labels=pools.labels,
        settings=ProjectSettings.for_task(spec.task, budget=spec.budget, k=spec.k),
    )
    return create_project_from_pools(new, pools)


def open_store(path: Path) -> ProjectStore:
    """Open a project file (migrating it forward if needed)."""
    return open_project(path)


def project_settings(store: ProjectStore) -> ProjectSettings:
    """The selection settings of an open project."""
    return ProjectSettings.from_dict(store.info().settings)


def collect_labels(task: TaskType, files: Sequence[PoolFile]) -> tuple[str, ...]:
    """The label schema found in the gold labels of ``files`` (sorted; ``O`` first for tags).

    Used when the user leaves the label list empty. QA has no label schema.

    Raises
    ------
    ValueError
        When no file holds any label (the schema must then be typed in).
    """
    from demux_core.readers import read_examples

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
    ordered = sorted(found - {"O"})
    return ("O", *ordered) if task == TaskType.TOKEN else tuple(ordered)


def parse_label_list(text: str) -> tuple[str, ...]:
    """``"a, b ,c"`` -> ``("a", "b", "c")``; repeated labels are an error."""
    labels = tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"labels repeat: {repeated}")
    return labels
