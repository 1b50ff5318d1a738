"""The pool index: every source and target row embedded once with a fixed encoder.

Re-exports the parts the round runner, the CLI and the benchmarks call. numpy and faiss only;
the embedding is passed in (:mod:`demux_core.scoring.encoder_vectors`).
"""

from demux_core.index.build import (
    IndexSettings,
    PoolIndex,
    PoolRows,
    build_pool_index,
    load_pool_index,
)
from demux_core.index.fingerprint import model_fingerprint, rows_digest
from demux_core.index.search import APPROXIMATE_ABOVE, NeighbourSearch

__all__ = [
    "APPROXIMATE_ABOVE",
    "IndexSettings",
    "NeighbourSearch",
    "PoolIndex",
    "PoolRows",
    "build_pool_index",
    "load_pool_index",
    "model_fingerprint",
    "rows_digest",
]
