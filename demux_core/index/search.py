"""Nearest-neighbour search over a pool index: exact up to a measured size, IVF above it.

Exact search is :func:`demux_core.selection.neighbors.knn` (faiss ``IndexFlatL2``), the very
search the strategies run, so an exact index picks what a plain selection picks. Above
:data:`APPROXIMATE_ABOVE` source rows an inverted-file index (faiss ``IndexIVFFlat``) is built
once and its ``nprobe`` raised until recall against exact search reaches ``min_recall`` on
the target queries (docs/benchmarks.md, "Pool index").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from demux_core.selection.neighbors import knn

# Source rows above which the index is approximate. Measured (bench/bench_index_search.py,
# 2 loaded cores, 300 targets x 384-d, width 64): exact search 5.1 s at 100k rows and 39 s at
# 1M, IVF 0.13 s and 0.77 s at recall 1.000 (built once in 13 s and 143 s). A round searches
# two or three times, so above 50k rows the one-time build pays for itself in the first round.
APPROXIMATE_ABOVE = 50_000
RECALL_QUERIES = 256


@dataclass
class NeighbourSearch:
    """Searches one pool's vectors.

    Attributes
    ----------
    vectors : np.ndarray, shape (n, d), float32
    kind : {"exact", "ivf"}
    ivf : faiss index or None
    nprobe : int -- lists probed per query (IVF only)
    recall : float or None -- measured recall@width against exact search (IVF only)
    """

    vectors: np.ndarray
    kind: str = "exact"
    ivf: object | None = None
    nprobe: int = 0
    recall: float | None = None

    def search(self, queries: np.ndarray, width: int) -> np.ndarray:
        """(m, width) int64 indices of each query's ``width`` nearest rows, nearest first."""
        width = min(int(width), self.vectors.shape[0])
        if self.kind == "exact":
            return knn(self.vectors, queries, width)[1]
        self.ivf.nprobe = self.nprobe
        _, indices = self.ivf.search(np.ascontiguousarray(queries, dtype=np.float32), width)
        short = np.flatnonzero((indices < 0).any(axis=1))
        if short.size:  # too few rows in the probed lists: those queries go exact
            indices[short] = knn(self.vectors, queries[short], width)[1]
        return indices.astype(np.int64, copy=False)

    def searcher(self, queries: np.ndarray) -> Callable[[int], np.ndarray]:
        """``search(width)`` for :func:`demux_core.selection.knn_union.doubling_union`."""
        return lambda width: self.search(queries, width)


def recall_at(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of each row's exact neighbours that ``found`` holds (both (m, w) int)."""
    hits = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(found, exact, strict=True))
    return hits / max(exact.size, 1)


def build_ivf(
    chunks: Callable[[], Iterable[np.ndarray]],
    vectors: np.ndarray,
    queries: np.ndarray,
    *,
    width: int = 64,
    min_recall: float = 0.98,
    seed: int = 0,
) -> NeighbourSearch:
    """An IVF index over ``vectors``, added chunk by chunk, with ``nprobe`` tuned for recall.

    Parameters
    ----------
    chunks : callable returning an iterable of (rows, d) float32 arrays, in row order
    vectors : np.ndarray, shape (n, d) -- the same rows (a memory map will do), for training
        the coarse quantiser on a sample and for the exact reference
    queries : np.ndarray, shape (m, d) -- the target vectors; at most
        :data:`RECALL_QUERIES` of them measure recall
    width : int -- neighbours per query the recall is measured at
    min_recall : float
    """
    import faiss

    n, d = vectors.shape
    lists = int(max(1, min(2 * np.sqrt(n), n // 39)))
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, 48 * lists), replace=False))
    quantizer = faiss.IndexFlatL2(d)
    index = faiss.IndexIVFFlat(quantizer, d, lists)
    index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
    for chunk in chunks():
        index.add(np.ascontiguousarray(chunk, dtype=np.float32))
    pick = rng.choice(len(queries), size=min(len(queries), RECALL_QUERIES), replace=False)
    probe_queries = np.ascontiguousarray(queries[np.sort(pick)], dtype=np.float32)
    width = min(width, n)
    exact = knn(np.asarray(vectors, dtype=np.float32), probe_queries, width)[1]
    nprobe, recall = 1, 0.0
    while True:
        index.nprobe = nprobe
        recall = recall_at(index.search(probe_queries, width)[1], exact)
        if recall >= min_recall or nprobe >= lists:
            break
        nprobe = min(2 * nprobe, lists)
    return NeighbourSearch(vectors, "ivf", index, nprobe, recall)


def write_ivf(search: NeighbourSearch, path: Path) -> None:
    """Save the IVF index to ``path`` atomically (a killed write leaves the old file)."""
    import faiss

    temporary = path.with_name(path.name + ".tmp")
    faiss.write_index(search.ivf, str(temporary))
    temporary.replace(path)


def read_ivf(path: Path, vectors: np.ndarray, nprobe: int, recall: float | None) -> NeighbourSearch:
    """The IVF search saved by :func:`write_ivf`."""
    import faiss

    return NeighbourSearch(vectors, "ivf", faiss.read_index(str(path)), nprobe, recall)
