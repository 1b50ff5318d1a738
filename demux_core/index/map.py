"""A map that stays put: UMAP fitted once on the pool index, every later round reads it.

The reducer is fitted on a seeded sample: every target row plus source rows up to
``ProjectionConfig.max_points``. Every other row is placed at the inverse-distance-weighted
mean of the coordinates of its :data:`PLACE_NEIGHBOURS` nearest fitted rows (an exact faiss
search over the sample, in chunks): UMAP's own ``transform`` took 145 s for 6,300 rows on 2
cores, this takes about a second for 100,000. Rows imported later are placed the same way on
the same layout, so rounds only recolour and mark picks; nothing moves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from demux_core.index.build import PoolIndex
from demux_core.index.files import read_json, save_array, write_json
from demux_core.rounds.projection import ProjectionConfig, project_2d
from demux_core.selection.neighbors import knn

MAP_FILE = "map.json"
PLACE_NEIGHBOURS = 5
PLACE_ROWS = 8192


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
    fitted = _fitted(folder, meta, index)
    if fitted is None:  # first map, or rows it was fitted on changed: fit once
        fitted = _fit(index, config, progress)
        save_array(folder / "map-fitted-vectors.npy", fitted[0])
        save_array(folder / "map-fitted-coords.npy", fitted[1])
    coords = {pool: _place(index.vectors[pool], *fitted, progress) for pool in ("source", "target")}
    stacked = np.concatenate([coords["source"], coords["target"]])
    name = f"map-{index.files['source'].split('/')[-1].removesuffix('.npy')}-t{sizes['target']}.npy"
    save_array(folder / name, stacked)
    write_json(folder / MAP_FILE, {"files": index.files, "coords": name, "sizes": sizes,
                                   "fitted": _digest(fitted[0])})  # fmt: skip
    return coords


def _split(stacked: np.ndarray, sizes: dict[str, int]) -> dict[str, np.ndarray]:
    return {"source": stacked[: sizes["source"]], "target": stacked[sizes["source"] :]}


def _digest(vectors: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(vectors).tobytes()).hexdigest()[:16]


def _fitted(folder, meta: dict, index: PoolIndex) -> tuple[np.ndarray, np.ndarray] | None:
    """The fitted sample (vectors, coordinates) when it still belongs to this index."""
    vectors_path, coords_path = folder / "map-fitted-vectors.npy", folder / "map-fitted-coords.npy"
    if not (vectors_path.exists() and coords_path.exists()):
        return None
    vectors = np.load(vectors_path)
    if (
        meta.get("fitted") != _digest(vectors)
        or vectors.shape[1:] != index.vectors["source"].shape[1:]
    ):
        return None
    return vectors, np.load(coords_path)


def _fit(index: PoolIndex, config: ProjectionConfig, progress) -> tuple[np.ndarray, np.ndarray]:
    """UMAP on every target row and a seeded sample of source rows: (vectors, coords)."""
    source, target = index.vectors["source"], index.vectors["target"]
    room = max(config.max_points - len(target), 0)
    sample = np.sort(np.random.default_rng(config.seed).permutation(len(source))[:room])
    vectors = np.ascontiguousarray(np.concatenate([source[sample], target]), dtype=np.float32)
    if progress:
        progress("projecting", 0.0)
    return vectors, project_2d(vectors, config)


def _place(vectors: np.ndarray, fitted: np.ndarray, coords: np.ndarray, progress) -> np.ndarray:
    """Each row at the inverse-distance-weighted mean of its nearest fitted rows' coordinates
    (a row that was fitted lands on its own coordinates)."""
    out = np.zeros((len(vectors), 2), dtype=np.float32)
    k = min(PLACE_NEIGHBOURS, len(fitted))
    for start in range(0, len(vectors), PLACE_ROWS):
        distances, neighbours = knn(fitted, vectors[start : start + PLACE_ROWS], k)
        weights = 1.0 / np.maximum(distances, 1e-6)
        weights[distances[:, 0] < 1e-6] = np.eye(k, dtype=np.float32)[0]  # exactly a fitted row
        weights /= weights.sum(axis=1, keepdims=True)
        out[start : start + PLACE_ROWS] = np.einsum("rk,rkc->rc", weights, coords[neighbours])
        if progress:
            progress("projecting", min((start + PLACE_ROWS) / max(len(vectors), 1), 1.0))
    return out
