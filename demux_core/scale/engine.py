"""One entry point for scoring a pool in-process (``engine="local"``) or on Ray (``"ray"``).

``local`` is :func:`demux_core.scoring.pool.score_pool` unchanged. ``ray`` writes the pool as
Parquet shards (unless ``pool_dir`` already holds them), saves the model as a checkpoint
folder (unless ``model_source`` names one) and runs :func:`run_ray_scoring`; the result is
the same :class:`~demux_core.scoring.pool.PoolScores`, in pool order.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from demux_core.config import ScoringConfig
from demux_core.data.examples import Example
from demux_core.scale.ray_scoring import (
    ModelSource,
    RaySettings,
    collect_scores,
    import_ray,
    run_ray_scoring,
)
from demux_core.scale.shards import (
    DEFAULT_ROWS_PER_SHARD,
    MANIFEST_FILE,
    read_manifest,
    write_pool_shards,
)

ENGINES: tuple[str, ...] = ("local", "ray")


def _pool_ids(pool_dir: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    manifest = read_manifest(pool_dir)
    return tuple(
        id_
        for path in manifest.paths(pool_dir)
        for id_ in pq.read_table(path, columns=["id"])["id"].to_pylist()
    )


def score_pool_with_engine(
    model,
    tokenizer,
    examples: Sequence[Example] | None,
    config: ScoringConfig | None = None,
    *,
    engine: str = "local",
    ray_address: str | None = None,
    num_actors: int = 2,
    cpus_per_actor: float = 0.5,
    gpus_per_actor: float = 0.0,
    model_source: ModelSource | None = None,
    pool_dir: str | Path | None = None,
    work_dir: str | Path | None = None,
    rows_per_shard: int = DEFAULT_ROWS_PER_SHARD,
    progress: bool = False,
    progress_callback=None,
):
    """Score a pool with the chosen engine.

    Parameters
    ----------
    model : TaskModel or None -- needed by ``local``, and by ``ray`` without ``model_source``
    tokenizer : fast tokenizer or None -- same
    examples : sequence of Example or None -- the pool; ``ray`` may take ``pool_dir`` instead
    config : ScoringConfig or None
    engine : {"local", "ray"}
    ray_address, num_actors, cpus_per_actor, gpus_per_actor : see :class:`RaySettings`
    model_source : ModelSource or None -- what Ray actors load (default: ``model`` saved
        into ``work_dir``)
    pool_dir : path or None -- existing Parquet pool shards (:func:`write_pool_shards`)
    work_dir : path or None -- where shards, checkpoint and score shards go (a temporary
        folder by default; on a cluster it must be storage every node sees)
    rows_per_shard : int -- shard size when ``examples`` are written
    progress, progress_callback : passed to ``score_pool`` (``local`` only)

    Returns
    -------
    PoolScores -- embeddings (n, d) float32, uncertainty (n,) float32, predictions,
    model_version, example_ids, in pool order
    """
    if engine not in ENGINES:
        raise ValueError(f"engine={engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "local":
        from demux_core.scoring.pool import score_pool

        if model is None or examples is None:
            raise ValueError("engine='local' needs model, tokenizer and examples")
        return score_pool(
            model,
            tokenizer,
            examples,
            config,
            progress=progress,
            progress_callback=progress_callback,
        )
    import_ray()
    settings = RaySettings(ray_address, num_actors, cpus_per_actor, gpus_per_actor)
    with contextlib.ExitStack() as stack:
        if work_dir is None:
            work_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="demux-ray-"))
        return _score_on_ray(
            model,
            tokenizer,
            examples,
            config,
            settings,
            model_source,
            pool_dir,
            Path(work_dir),
            rows_per_shard,
        )


def _score_on_ray(
    model, tokenizer, examples, config, settings, source, pool_dir, work_dir, rows_per_shard
):
    from demux_core.scoring.pool import PoolScores

    work_dir.mkdir(parents=True, exist_ok=True)
    if pool_dir is None:
        if examples is None:
            raise ValueError("engine='ray' needs examples or pool_dir")
        pool_dir = work_dir / "pool"
        if not (pool_dir / MANIFEST_FILE).exists():
            write_pool_shards(examples, pool_dir, rows_per_shard)
    if source is None:
        if model is None:
            raise ValueError("engine='ray' needs model (and tokenizer) or model_source")
        checkpoint = work_dir / "checkpoint"
        model.save(checkpoint, tokenizer=tokenizer)
        source = ModelSource(str(checkpoint))
    out_dir = work_dir / "scores"
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} exists: give a fresh work_dir")
    run_ray_scoring(pool_dir, source, out_dir, config, settings)
    collected = collect_scores(out_dir, read_manifest(pool_dir))
    return PoolScores(
        embeddings=collected.embeddings,
        uncertainty=collected.uncertainty,
        predictions=collected.predictions,
        model_version=collected.model_version,
        example_ids=_pool_ids(Path(pool_dir)),
    )
