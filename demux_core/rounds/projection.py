"""The 2-D map of the pools: a deterministic subsample and its UMAP projection.

The worker computes the projection once per rescoring and stores it; the map page only reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ProjectionConfig:
    """How the map is drawn.

    Attributes
    ----------
    max_points : int
        Above this many points (source + target) the source pool is subsampled; every target
        point and every selected source point is always kept.
    n_neighbors, min_dist : UMAP parameters.
    n_epochs : int or None
        UMAP optimisation epochs (None = UMAP's default: 500 for small, 200 for large data).
    seed : int
        Seeds both the subsample and UMAP (UMAP then runs single-threaded and is reproducible).
    """

    max_points: int = 4000
    n_neighbors: int = 15
    min_dist: float = 0.1
    n_epochs: int | None = 200
    seed: int = 0


@dataclass(frozen=True)
class MapPoints:
    """Which points the map shows, and where.

    Attributes
    ----------
    source_positions : np.ndarray, shape (a,), int64
        Positions in the source pool, sorted.
    target_positions : np.ndarray, shape (b,), int64
        Positions in the target pool, sorted.
    source_coords : np.ndarray, shape (a, 2), float32
    target_coords : np.ndarray, shape (b, 2), float32
    """

    source_positions: np.ndarray
    target_positions: np.ndarray
    source_coords: np.ndarray
    target_coords: np.ndarray


def choose_map_points(
    n_source: int,
    n_target: int,
    keep_source: Sequence[int] = (),
    *,
    max_points: int,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic subsample of the pools for the map.

    Keeps every target point and every source position in ``keep_source`` (the picks of all
    rounds); fills the rest of ``max_points`` with the first other positions of one seeded
    permutation of the source pool, so a point stays on the map from round to round unless
    picks take its room.

    Returns
    -------
    source_positions, target_positions : np.ndarray of int64, sorted
    """
    target = np.arange(n_target, dtype=np.int64)
    keep = np.unique(np.asarray(list(keep_source), dtype=np.int64))
    if keep.size and (keep.min() < 0 or keep.max() >= n_source):
        raise ValueError(f"keep_source holds positions outside the source pool of {n_source}")
    room = max(max_points - n_target - keep.size, 0)
    if n_source - keep.size <= room:
        rest = np.setdiff1d(np.arange(n_source, dtype=np.int64), keep, assume_unique=True)
    else:  # one seeded order of the whole pool: as picks grow, the others stay on the map
        order = np.random.default_rng(seed).permutation(n_source).astype(np.int64)
        rest = order[~np.isin(order, keep)][:room]
    return np.sort(np.concatenate([keep, rest])), target


def project_2d(embeddings: np.ndarray, config: ProjectionConfig) -> np.ndarray:
    """UMAP projection of embeddings to 2-D.

    Parameters
    ----------
    embeddings : np.ndarray, shape (n, d), float32
    config : ProjectionConfig

    Returns
    -------
    np.ndarray, shape (n, 2), float32
        For n < 4 (too few for UMAP) the first two principal directions are used instead.
    """
    x = np.asarray(embeddings, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"embeddings must be 2-D (n, d), got shape {x.shape}")
    n = x.shape[0]
    if n < 4:
        return _pca_2d(x)
    import umap  # heavy import (numba): only when a projection is actually computed

    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=min(config.n_neighbors, n - 1),
        min_dist=config.min_dist,
        n_epochs=config.n_epochs,
        random_state=config.seed,
        init="spectral" if n > config.n_neighbors + 1 else "random",
    )
    return np.asarray(reducer.fit_transform(x), dtype=np.float32)


def _pca_2d(x: np.ndarray) -> np.ndarray:
    centred = x - x.mean(axis=0, keepdims=True)
    out = np.zeros((x.shape[0], 2), dtype=np.float32)
    if x.shape[0] < 2:
        return out
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    comps = centred @ vt[:2].T
    out[:, : comps.shape[1]] = comps
    return out


def project_pools(
    source_emb: np.ndarray,
    target_emb: np.ndarray,
    keep_source: Sequence[int],
    config: ProjectionConfig,
) -> MapPoints:
    """Subsample the pools, then project source and target together into one 2-D map.

    Parameters
    ----------
    source_emb : np.ndarray, shape (n, d), float32
    target_emb : np.ndarray, shape (m, d), float32
    keep_source : sequence of int
        Source positions that must appear (all picks so far).
    config : ProjectionConfig
    """
    src_pos, tgt_pos = choose_map_points(
        len(source_emb),
        len(target_emb),
        keep_source,
        max_points=config.max_points,
        seed=config.seed,
    )
    stacked = np.concatenate([source_emb[src_pos], target_emb[tgt_pos]], axis=0)
    coords = project_2d(stacked, config)
    a = len(src_pos)
    return MapPoints(src_pos, tgt_pos, coords[:a], coords[a:])
