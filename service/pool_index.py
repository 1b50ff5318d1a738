"""A project's pool index, kept in ``artifacts/pool-index`` (worker side: imports torch).

The first round of a project builds it (stage "indexing", with progress), so does the first
round after an import (only the new rows are embedded), and a model whose fingerprint
differs from the one the index was built with rebuilds it, with a note in the round's log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

INDEX_FOLDER = "pool-index"
POOLS = ("source", "target")


def ensure_pool_index(
    store: Any,
    info: Any,
    engine: str,
    progress: Callable[[str, float], None] | None = None,
    loaded: dict[str, list] | None = None,
) -> tuple[Any, Any]:
    """Build what is missing of the project's index and its fixed map; return both.

    ``loaded``: pools the caller already read (pool name to its StoredExample list, in
    position order); they are checked from memory, the others read from the store in chunks.

    Returns
    -------
    (PoolIndex, FixedPools)
    """
    from demux_core.index import PoolRows, build_pool_index
    from demux_core.index.map import fixed_map
    from demux_core.rounds.indexed import FixedPools
    from demux_core.scoring.encoder_vectors import encoder_embedder, encoder_generation

    def rows(pool: str) -> PoolRows:
        kept = (loaded or {}).get(pool)

        def read(start: int, stop: int):
            part = (
                kept[start:stop] if kept is not None else store.examples_between(pool, start, stop)
            )
            return [(f"{s.key}:{s.example.id}", s.example) for s in part]

        return PoolRows(len(kept) if kept is not None else store.pool_size(pool), read)

    generation = encoder_generation(info.model_spec, info.task)
    embed = encoder_embedder(info.model_spec, info.task, info.labels, engine=engine,
                             ray_address=info.settings.get("ray_address"))  # fmt: skip
    index = build_pool_index(store.artifacts / INDEX_FOLDER, generation,
                             {pool: rows(pool) for pool in POOLS}, embed, progress=progress)  # fmt: skip
    coords = fixed_map(index, progress=progress)
    fixed = FixedPools(index.vectors["source"], index.vectors["target"], index.search.search,
                       coords["source"], coords["target"])  # fmt: skip
    return index, fixed


def shared_vectors_file(index: Any, pool: str) -> str:
    """The index's vectors file of ``pool``, relative to the project's artifacts folder."""
    return f"{INDEX_FOLDER}/{index.files[pool]}"
