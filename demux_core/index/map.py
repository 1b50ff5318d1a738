"""A map that stays put: UMAP fitted once on the pool index, every later round reads it.

The reducer is fitted on a seeded sample (every target row plus source rows up to
``ProjectionConfig.max_points``); every other row is placed with ``reducer.transform``, in
chunks. The coordinates of all rows are kept beside the index with the fitted reducer, so
rows imported later are placed on the same layout instead of refitting (which would move
every point). Rounds only recolour and mark picks.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np

from demux_core.index.build import PoolIndex
from demux_core.index.files import read_json, save_array, write_atomically, write_json
from demux_core.rounds.projection import ProjectionConfig, project_2d

MAP_FILE = "map.json"
TRANSFORM_ROWS = 4096


def fixed_map(
    index: PoolIndex,
    config: ProjectionConfig | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, np.ndarray]:
    """2-D coordinates of every source and target row of ``index``, fitted at most once.

    Returns
    -------
    dict with ``"source"`` (n, 2) and ``"target"`` (m, 2) float32 coordinates
    """
    config = config or ProjectionConfig()
    folder = index.folder / index.generation
    meta = read_json(folder / MAP_FILE) or {}
    sizes = {pool: len(index.vectors[pool]) for pool in ("source", "target")}
    if meta.get("files") == index.files and (folder / meta.get("coords", "-")).exists():
        return _split(np.load(folder / meta["coords"]), sizes)
    reducer_path = folder / "map-reducer.pkl"
    old = _load_old(folder, meta, reducer_path)
    parts = []
    for pool in ("source", "target"):
        vectors = index.vectors[pool]
        known = old.get(pool) if old else None
        start = 0 if known is None else min(len(known), len(vectors))
        if known is not None and meta.get("digests", {}).get(pool) != _prefix_digest(
            vectors, start
        ):
            old = None  # earlier rows changed: refit below
            break
        parts.append((pool, vectors, known[:start] if known is not None else None))
    if old is None:
        coords, reducer = _fit(index, config, progress)
        if reducer is not None:
            write_atomically(reducer_path, pickle.dumps(reducer))
    else:
        reducer = pickle.loads(reducer_path.read_bytes())
        coords = {}
        for pool, vectors, known in parts:
            new = _transform(reducer, vectors[len(known) :], progress)
            coords[pool] = np.concatenate([known, new]).astype(np.float32)
    stacked = np.concatenate([coords["source"], coords["target"]])
    name = f"map-{index.files['source'].split('/')[-1].removesuffix('.npy')}-t{sizes['target']}.npy"
    save_array(folder / name, stacked)
    digests = {pool: _prefix_digest(index.vectors[pool], sizes[pool]) for pool in sizes}
    write_json(folder / MAP_FILE, {"files": index.files, "coords": name, "sizes": sizes,
                                   "digests": digests})  # fmt: skip
    return coords


def _split(stacked: np.ndarray, sizes: dict[str, int]) -> dict[str, np.ndarray]:
    return {"source": stacked[: sizes["source"]], "target": stacked[sizes["source"] :]}


def _prefix_digest(vectors: np.ndarray, rows: int) -> str:
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(vectors[:rows]).tobytes()).hexdigest()[:16]


def _load_old(folder: Path, meta: dict, reducer_path: Path) -> dict[str, np.ndarray] | None:
    path = folder / meta.get("coords", "-")
    if not (path.exists() and reducer_path.exists() and "sizes" in meta):
        return None
    return _split(np.load(path), meta["sizes"])


def _fit(index: PoolIndex, config: ProjectionConfig, progress):
    import umap

    source, target = index.vectors["source"], index.vectors["target"]
    n, m = len(source), len(target)
    room = max(config.max_points - m, 0)
    rng = np.random.default_rng(config.seed)
    sample = np.sort(rng.permutation(n)[:room])
    fitted = np.concatenate([source[sample], target])
    if progress:
        progress("projecting", 0.0)
    if len(fitted) < max(config.n_neighbors + 2, 4):
        coords = project_2d(np.concatenate([source, target]), config)
        return {"source": coords[:n], "target": coords[n:]}, None
    reducer = umap.UMAP(n_components=2, n_neighbors=config.n_neighbors, min_dist=config.min_dist,
                        n_epochs=config.n_epochs, random_state=config.seed)  # fmt: skip
    placed = np.asarray(reducer.fit_transform(fitted), dtype=np.float32)
    out = np.zeros((n, 2), dtype=np.float32)
    out[sample] = placed[: len(sample)]
    rest = np.setdiff1d(np.arange(n), sample)
    out[rest] = _transform(reducer, source[rest], progress)
    return {"source": out, "target": placed[len(sample) :]}, reducer


def _transform(reducer, vectors: np.ndarray, progress) -> np.ndarray:
    out = np.zeros((len(vectors), 2), dtype=np.float32)
    for start in range(0, len(vectors), TRANSFORM_ROWS):
        out[start : start + TRANSFORM_ROWS] = reducer.transform(
            vectors[start : start + TRANSFORM_ROWS]
        )
        if progress:
            progress("projecting", min((start + TRANSFORM_ROWS) / len(vectors), 1.0))
    return out
