"""Source embeddings that do not fit in memory, read block by block in pool order.

:class:`ShardedEmbeddings` is a re-iterable view: each call of :meth:`ShardedEmbeddings.blocks`
starts a new pass over the pool. Back-ends: an in-memory or memory-mapped array (``.npy``),
or Parquet score shards with a fixed-size-list ``embedding`` column (as written by
:mod:`demux_core.scale.ray_scoring`). :func:`aligned_chunks` regroups any block sizes into
chunks that start at multiples of a given row count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from demux_core.errors import DataFormatError, SelectionError

DEFAULT_BLOCK_ROWS = 65_536


def fixed_size_list_to_matrix(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A fixed-size-list float column as a (rows, dim) float32 matrix (copy-free when possible)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_fixed_size_list(array.type):
        raise TypeError(f"expected a fixed_size_list column, got {array.type}")
    dim = array.type.list_size
    flat = array.flatten().to_numpy(zero_copy_only=False)
    return np.ascontiguousarray(flat.reshape(len(array), dim), dtype=np.float32)


def matrix_to_fixed_size_list(matrix: np.ndarray) -> pa.FixedSizeListArray:
    """A (rows, dim) float32 matrix as an Arrow fixed_size_list<float32>[dim] array."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), matrix.shape[1])


@dataclass(frozen=True)
class ShardedEmbeddings:
    """A pool of ``n_rows`` source embeddings of dimension ``dim``, streamed in pool order.

    Attributes
    ----------
    n_rows : int
    dim : int
    open_pass : callable () -> iterator of ndarray (rows_i, dim) float32
        Starts one pass; the blocks concatenate to the whole pool, in order.
    """

    n_rows: int
    dim: int
    open_pass: Callable[[], Iterator[np.ndarray]]

    def blocks(self) -> Iterator[np.ndarray]:
        """One pass over the pool, checking block shapes and the total row count."""
        seen = 0
        for block in self.open_pass():
            if block.ndim != 2 or block.shape[1] != self.dim:
                raise SelectionError(
                    f"source block at row {seen} has shape {block.shape}, expected (*, {self.dim})"
                )
            seen += block.shape[0]
            yield block
        if seen != self.n_rows:
            raise SelectionError(f"source shards hold {seen} rows, expected {self.n_rows}")

    @classmethod
    def from_array(
        cls, array: np.ndarray, rows_per_block: int = DEFAULT_BLOCK_ROWS
    ) -> ShardedEmbeddings:
        """View an (n, d) array (in memory or ``np.load(..., mmap_mode="r")``) as blocks."""
        if array.ndim != 2:
            raise SelectionError(f"source_emb must be 2-D (rows, dim), got shape {array.shape}")
        if rows_per_block < 1:
            raise ValueError(f"rows_per_block must be >= 1, got {rows_per_block}")

        def open_pass() -> Iterator[np.ndarray]:
            for start in range(0, array.shape[0], rows_per_block):
                yield np.asarray(array[start : start + rows_per_block], dtype=np.float32)

        return cls(int(array.shape[0]), int(array.shape[1]), open_pass)

    @classmethod
    def from_npy(cls, path: str | Path, rows_per_block: int = DEFAULT_BLOCK_ROWS):
        """Memory-map an ``.npy`` file of shape (n, d); only one block is read at a time."""
        return cls.from_array(np.load(path, mmap_mode="r"), rows_per_block)

    @classmethod
    def from_parquet(cls, paths: Sequence[str | Path], column: str = "embedding"):
        """Parquet files in pool order, each with a fixed-size-list float ``column``.

        Only each file's footer is read here; a pass reads one row group at a time.
        """
        paths = [Path(p) for p in paths]
        if not paths:
            raise SelectionError("no source embedding shards given")
        n_rows, dims = 0, set()
        for path in paths:
            schema = pq.read_schema(path)
            if column not in schema.names or not pa.types.is_fixed_size_list(
                schema.field(column).type
            ):
                raise DataFormatError(path, None, f"no fixed-size-list column {column!r}")
            dims.add(schema.field(column).type.list_size)
            n_rows += pq.ParquetFile(path).metadata.num_rows
        if len(dims) != 1:
            raise DataFormatError(paths[0].parent, None, f"shards disagree on dim: {sorted(dims)}")

        def open_pass() -> Iterator[np.ndarray]:
            for path in paths:
                parquet = pq.ParquetFile(path)
                for group in range(parquet.num_row_groups):
                    table = parquet.read_row_group(group, columns=[column])
                    yield fixed_size_list_to_matrix(table.column(column))

        return cls(n_rows, dims.pop(), open_pass)


def aligned_chunks(source: ShardedEmbeddings, chunk_rows: int) -> Iterator[tuple[int, np.ndarray]]:
    """Regroup a pass into ``(start_row, chunk)`` with ``start_row`` a multiple of ``chunk_rows``.

    Every chunk but the last has exactly ``chunk_rows`` rows. Memory: one chunk plus one
    incoming block.
    """
    pending: list[np.ndarray] = []
    pending_rows = 0
    start = 0
    for block in source.blocks():
        pending.append(block)
        pending_rows += block.shape[0]
        while pending_rows >= chunk_rows:
            merged = np.concatenate(pending) if len(pending) > 1 else pending[0]
            yield start, np.ascontiguousarray(merged[:chunk_rows], dtype=np.float32)
            start += chunk_rows
            rest = merged[chunk_rows:]
            pending, pending_rows = ([rest] if len(rest) else []), len(rest)
    if pending_rows:
        merged = np.concatenate(pending) if len(pending) > 1 else pending[0]
        yield start, np.ascontiguousarray(merged, dtype=np.float32)


def gather_rows(source: ShardedEmbeddings, indices: np.ndarray) -> np.ndarray:
    """Rows ``indices`` (any order, repeats allowed) of the pool, in one pass.

    Returns
    -------
    ndarray, shape (len(indices), dim), float32
    """
    indices = np.asarray(indices, dtype=np.int64)
    out = np.empty((len(indices), source.dim), dtype=np.float32)
    start = 0
    for block in source.blocks():
        stop = start + block.shape[0]
        inside = np.flatnonzero((indices >= start) & (indices < stop))
        out[inside] = block[indices[inside] - start]
        start = stop
    return out
