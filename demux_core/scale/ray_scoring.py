"""Score a sharded pool on a Ray cluster (or a laptop) with Ray Data and an actor pool.

Pipeline: ``read_parquet(pool shards)`` -> ``map_batches(ShardScorer)`` on ``num_actors``
actors, each loading the model ONCE -> ``write_parquet(out_dir)``. Every output row keeps
the pool ``row`` index, so :func:`collect_scores` puts results back in pool order whatever
order the workers finished in. Output columns: ``row`` (int64), ``embedding``
(fixed_size_list<float32>[d]), ``uncertainty`` (float32), ``prediction`` (JSON string) and
``model_version``.

Ray is an optional extra (``pip install -r requirements-scale.txt``), imported lazily.
The same code runs locally (``address=None`` starts or reuses a local Ray) and against a
cluster (``address="ray://head:10001"`` or ``"auto"``); paths must then be on storage every
node sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from demux_core.config import ScoringConfig
from demux_core.data.examples import TaskType
from demux_core.errors import DataFormatError
from demux_core.runtime import ENVIRONMENT_DEFAULTS
from demux_core.scale.embedding_shards import fixed_size_list_to_matrix, matrix_to_fixed_size_list
from demux_core.scale.shards import PoolManifest, read_manifest, table_to_examples

RAY_MISSING = (
    "Ray is not installed: run `pip install -r requirements-scale.txt` to use engine='ray'"
)
WORKER_ENV = dict(ENVIRONMENT_DEFAULTS)  # Ray workers get the runtime's settings


def import_ray():
    """The ``ray`` module, or an ImportError that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as error:
        raise ImportError(RAY_MISSING) from error
    return ray


@dataclass(frozen=True)
class RaySettings:
    """Where and how wide the Ray scoring runs.

    Attributes
    ----------
    address : str or None -- ``None``: local Ray (started if needed); else a cluster address
    num_actors : int -- scoring actors (model replicas)
    cpus_per_actor : float -- fractional values keep small machines from deadlocking
    gpus_per_actor : float -- 1.0 on GPU workers
    batch_rows : int -- examples per ``map_batches`` call
    """

    address: str | None = None
    num_actors: int = 2
    cpus_per_actor: float = 0.5
    gpus_per_actor: float = 0.0
    batch_rows: int = 256

    def __post_init__(self) -> None:
        if self.num_actors < 1 or self.batch_rows < 1:
            raise ValueError("num_actors and batch_rows must be >= 1")
        if self.cpus_per_actor <= 0 or self.gpus_per_actor < 0:
            raise ValueError("cpus_per_actor must be > 0 and gpus_per_actor >= 0")


@dataclass(frozen=True)
class ModelSource:
    """What each actor loads: a checkpoint folder (``TaskModel.save`` with its tokenizer), or
    a model spec (folder, alias, ``None`` = default) plus task and labels for a fresh head.
    """

    spec: str | None
    task: str | None = None
    labels: tuple[str, ...] = ()
    seed: int = 0

    def load(self):
        """Load ``(TaskModel, tokenizer)`` (imports torch)."""
        from transformers import AutoTokenizer

        from demux_core.models.source import resolve_model_source
        from demux_core.models.task_model import (
            META_FILE,
            TaskModel,
            load_checkpoint_tokenizer,
        )

        if self.spec is not None and (Path(self.spec) / META_FILE).is_file():
            return TaskModel.load(self.spec), load_checkpoint_tokenizer(self.spec)
        if self.task is None:
            raise ValueError(f"{self.spec!r} is not a checkpoint folder: give task (and labels)")
        model = TaskModel.from_pretrained(self.spec, self.task, self.labels, seed=self.seed)
        return model, AutoTokenizer.from_pretrained(resolve_model_source(self.spec))


def encode_prediction(prediction) -> str:
    """A prediction of :func:`score_pool` as JSON (tuples become lists)."""
    return json.dumps(list(prediction) if isinstance(prediction, tuple) else prediction)


def decode_prediction(text: str, task: TaskType):
    """Inverse of :func:`encode_prediction` for a ``task`` model."""
    value = json.loads(text)
    return (
        tuple(value) if isinstance(value, list) and task in (TaskType.TOKEN, TaskType.QA) else value
    )


class ShardScorer:
    """Ray Data callable class: loads the model once, then scores Arrow batches of pool rows."""

    def __init__(self, source: ModelSource, config: ScoringConfig) -> None:
        from demux_core.runtime import prepare_environment

        prepare_environment()
        self.model, self.tokenizer = source.load()
        self.config = config

    def __call__(self, batch: pa.Table) -> pa.Table:
        from demux_core.scoring.pool import score_pool

        examples = table_to_examples(batch, self.model.task)
        scores = score_pool(self.model, self.tokenizer, examples, self.config, progress=False)
        return pa.table(
            {
                "row": batch.column("row"),
                "embedding": matrix_to_fixed_size_list(scores.embeddings),
                "uncertainty": pa.array(scores.uncertainty, type=pa.float32()),
                "prediction": pa.array([encode_prediction(p) for p in scores.predictions]),
                "model_version": pa.array([scores.model_version] * len(examples)),
            }
        )


def connect_ray(settings: RaySettings):
    """Reuse the running Ray, else ``ray.init`` at ``settings.address`` (local when None)."""
    ray = import_ray()
    if not ray.is_initialized():
        ray.init(
            address=settings.address,
            include_dashboard=False,
            runtime_env={"env_vars": WORKER_ENV},
            log_to_driver=False,
        )
    return ray


def run_ray_scoring(
    pool_dir: str | Path,
    source: ModelSource,
    out_dir: str | Path,
    config: ScoringConfig | None = None,
    settings: RaySettings = RaySettings(),
) -> Path:
    """Score every row of a sharded pool on Ray; write score shards into ``out_dir``.

    Returns
    -------
    Path -- ``out_dir``, holding Parquet files with the columns in the module docstring
    """
    manifest = read_manifest(pool_dir)
    ray = connect_ray(settings)
    dataset = ray.data.read_parquet(
        [str(p) for p in manifest.paths(pool_dir)],
        num_cpus=min(settings.cpus_per_actor, 1.0),
        override_num_blocks=max(len(manifest.shards), settings.num_actors),
    )
    scored = dataset.map_batches(
        ShardScorer,
        fn_constructor_kwargs={"source": source, "config": config or ScoringConfig()},
        batch_size=settings.batch_rows,
        batch_format="pyarrow",
        concurrency=settings.num_actors,
        num_cpus=settings.cpus_per_actor,
        num_gpus=settings.gpus_per_actor or None,
    )
    scored.write_parquet(str(out_dir))
    return Path(out_dir)


@dataclass(frozen=True)
class CollectedScores:
    """Score shards put back in pool order: arrays (n, d) / (n,) and a predictions list."""

    embeddings: np.ndarray
    uncertainty: np.ndarray
    predictions: list
    model_version: str


def collect_scores(out_dir: str | Path, manifest: PoolManifest) -> CollectedScores:
    """Read score shards (any file and row order) into pool order; checks every row once."""
    files = sorted(Path(out_dir).glob("*.parquet"))
    if not files:
        raise DataFormatError(out_dir, None, "no score shards (*.parquet) here")
    n = manifest.n_rows
    embeddings, seen = None, np.zeros(n, dtype=bool)
    uncertainty = np.empty(n, dtype=np.float32)
    predictions: list = [None] * n
    versions: set[str] = set()
    for path in files:
        table = pq.read_table(path)
        rows = table.column("row").to_numpy()
        if ((rows < 0) | (rows >= n)).any() or seen[rows].any():
            raise DataFormatError(path, None, "row index outside the pool or scored twice")
        block = fixed_size_list_to_matrix(table.column("embedding"))
        if embeddings is None:
            embeddings = np.empty((n, block.shape[1]), dtype=np.float32)
        embeddings[rows], seen[rows] = block, True
        uncertainty[rows] = table.column("uncertainty").to_numpy()
        for row, text in zip(rows, table.column("prediction").to_pylist(), strict=True):
            predictions[row] = decode_prediction(text, manifest.task)
        versions.update(table.column("model_version").unique().to_pylist())
    if not seen.all():
        raise DataFormatError(
            out_dir, None, f"rows missing from the scores, first {np.argmin(seen)}"
        )
    if len(versions) != 1:
        raise DataFormatError(
            out_dir, None, f"scores from several model versions: {sorted(versions)}"
        )
    return CollectedScores(embeddings, uncertainty, predictions, versions.pop())
