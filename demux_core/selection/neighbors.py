"""Exact L2 nearest neighbours and mean distances between a source and a target pool.

Every distance here is the plain (not squared) Euclidean distance. The k-NN search goes
through faiss (exact ``IndexFlatL2``); mean distances are computed block by block over
source rows so that the full ``n x m`` distance matrix is never held in memory.

faiss and numpy use their own thread pools; nothing here changes a global setting. Call
``faiss.omp_set_num_threads`` yourself to limit faiss, and set ``OMP_WAIT_POLICY=PASSIVE``
in the environment before faiss or torch is imported when both share a process.
"""

from __future__ import annotations

import faiss
import numpy as np

DEFAULT_BLOCK_ROWS = 2048
_MAX_BLOCK_ELEMENTS = 1 << 24  # 16M float32 = 64 MiB per distance block


def _as_matrix(name: str, array: np.ndarray) -> np.ndarray:
    """Return ``array`` as a C-contiguous float32 matrix, or raise ``ValueError``."""
    matrix = np.ascontiguousarray(array, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (rows, dim) array, got shape {matrix.shape}")
    return matrix


def _check_pair(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    source = _as_matrix("source", source)
    target = _as_matrix("target", target)
    if source.shape[1] != target.shape[1]:
        raise ValueError(
            f"dimension mismatch: source has dim {source.shape[1]}, target has dim {target.shape[1]}"
        )
    return source, target


def _sort_rows(distances: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort each row by (distance, index) so that ties come out in index order."""
    order = np.lexsort((indices, distances), axis=1)
    return (
        np.take_along_axis(distances, order, axis=1),
        np.take_along_axis(indices, order, axis=1),
    )


def knn(source: np.ndarray, target: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest source points of every target point (exact, faiss ``IndexFlatL2``).

    Parameters
    ----------
    source : ndarray, shape (n, d), float32
        The points searched (the index).
    target : ndarray, shape (m, d), float32
        The queries.
    k : int
        Neighbours per target point, ``1 <= k <= n``.

    Returns
    -------
    distances : ndarray, shape (m, k), float32
        L2 distances (not squared), ascending along each row.
    indices : ndarray, shape (m, k), int64
        Row indices into ``source``; equal distances are ordered by index.
    """
    source, target = _check_pair(source, target)
    if not 1 <= k <= source.shape[0]:
        raise ValueError(f"k must be in [1, {source.shape[0]}] (number of source points), got {k}")
    index = faiss.IndexFlatL2(source.shape[1])
    index.add(source)
    squared, indices = index.search(target, k)
    distances = np.sqrt(np.maximum(squared, 0.0, dtype=np.float32))
    return _sort_rows(distances, indices.astype(np.int64, copy=False))


def _block_rows(block: int, n_target: int) -> int:
    if block < 1:
        raise ValueError(f"block must be >= 1 source rows, got {block}")
    return max(1, min(block, _MAX_BLOCK_ELEMENTS // max(n_target, 1)))


def _squared_block(
    source_block: np.ndarray, target: np.ndarray, target_sq_norms: np.ndarray
) -> np.ndarray:
    """Squared L2 distances, shape (m, b) float32, clamped at 0 (target-major)."""
    source_sq_norms = np.einsum("ij,ij->i", source_block, source_block)
    squared = target @ source_block.T
    squared *= -2.0
    squared += target_sq_norms[:, None]
    squared += source_sq_norms[None, :]
    np.maximum(squared, 0.0, out=squared)
    return squared


def _centred(source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift both pools by the target mean: distances are unchanged, rounding shrinks."""
    centre = target.mean(axis=0, dtype=np.float64).astype(np.float32)
    return source - centre, target - centre


def mean_distances(
    source: np.ndarray, target: np.ndarray, block: int = DEFAULT_BLOCK_ROWS
) -> np.ndarray:
    """Mean L2 distance from every source point to all target points.

    Computed over blocks of ``block`` source rows with ``|a|^2 + |b|^2 - 2 a.b`` (after
    centring both pools on the target mean), clamped at 0 before the square root, summed in
    float64. Memory: one ``block x m`` float32 matrix at a time.

    Parameters
    ----------
    source : ndarray, shape (n, d), float32
    target : ndarray, shape (m, d), float32, m >= 1
    block : int
        Source rows per block (lowered automatically when ``m`` is large).

    Returns
    -------
    ndarray, shape (n,), float32
    """
    _, means = knn_and_mean_distances(source, target, k=0, block=block)
    return means


def knn_and_mean_distances(
    source: np.ndarray, target: np.ndarray, k: int, block: int = DEFAULT_BLOCK_ROWS
) -> tuple[tuple[np.ndarray, np.ndarray] | None, np.ndarray]:
    """One pass over source blocks giving both the target k-NN lists and the mean distances.

    Each block's distances come from one matrix product; its square roots feed the means and
    its squared values feed faiss result heaps (one per target point) keeping the ``k``
    smallest. Same results as :func:`knn` and :func:`mean_distances` up to float32 rounding.

    Parameters
    ----------
    source : ndarray, shape (n, d), float32
    target : ndarray, shape (m, d), float32, m >= 1
    k : int
        Neighbours per target point, ``0 <= k <= n``; 0 skips the k-NN part.
    block : int
        Source rows per block.

    Returns
    -------
    neighbours : (distances (m, k) float32, indices (m, k) int64) or None when ``k == 0``
        As returned by :func:`knn`.
    means : ndarray, shape (n,), float32
        Mean L2 distance of each source point to the target pool.
    """
    source, target = _check_pair(source, target)
    n, m = source.shape[0], target.shape[0]
    if m == 0:
        raise ValueError("target pool is empty: mean distance to it is undefined")
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, {n}] (number of source points), got {k}")
    source, target = _centred(source, target)
    target_sq_norms = np.einsum("ij,ij->i", target, target)
    rows = _block_rows(block, m)
    sums = np.empty(n, dtype=np.float64)
    heap = faiss.ResultHeap(m, k) if k else None
    for start in range(0, n, rows):
        squared = _squared_block(source[start : start + rows], target, target_sq_norms)
        if heap is not None:
            heap.heaps.addn(squared.shape[1], faiss.swig_ptr(squared), start, 0, m)
        sums[start : start + rows] = np.sqrt(squared).sum(axis=0, dtype=np.float64)
    means = (sums / m).astype(np.float32)
    if heap is None:
        return None, means
    heap.finalize()
    distances = np.sqrt(np.maximum(heap.D, 0.0))
    return _sort_rows(distances, heap.I), means
