"""Streaming selection must equal the in-memory strategies exactly."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from demux_core.errors import SelectionError
from demux_core.scale.embedding_shards import ShardedEmbeddings, matrix_to_fixed_size_list
from demux_core.selection import strategies
from demux_core.selection.neighbors import knn, mean_distances
from demux_lab.sharded_selection import (
    ShardedSelectionSettings,
    select_sharded,
    streaming_knn,
    streaming_mean_distances,
)


def _pools(seed: int, n: int, m: int, d: int = 16):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n // 2, d)).astype(np.float32)
    source = np.concatenate([base, base[: n - len(base)]])  # duplicates: exact distance ties
    rng.shuffle(source)
    target = (rng.normal(size=(m, d)) + 0.2).astype(np.float32)
    margins = np.round(rng.random(n), 2).astype(np.float32)  # many margin ties
    return rng, source, target, margins


def _assert_same(expected, got):
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_array_equal(got.distance_to_target, expected.distance_to_target)
    np.testing.assert_array_equal(got.uncertainty, expected.uncertainty)
    assert got.k_used == expected.k_used and got.strategy == expected.strategy


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("strategy", sorted(strategies.STRATEGIES))
def test_equals_in_memory_selection(seed, strategy):
    rng, source, target, margins = _pools(seed, n=int(2500 + 700 * seed), m=[5, 30, 300][seed % 3])
    kwargs = {
        "target_emb": target,
        "uncertainty": margins,
        "budget": int(rng.integers(1, 400)),
        "exclude": rng.choice(len(source), size=300, replace=False),
        "languages": rng.choice(["hau", "ibo", "yor"], size=len(source)),
        "k": int(rng.integers(1, 4)),
        "seed": seed,
        "classes": rng.choice(["LOC", "PER", "O", "DATE+ORG"], size=len(source)),
    }
    expected = strategies.select_with_details(strategy, source_emb=source, **kwargs)
    sharded = ShardedEmbeddings.from_array(source, rows_per_block=int(rng.integers(1, 900)))
    settings = ShardedSelectionSettings(chunk_rows=int(rng.integers(1, 3000)))
    _assert_same(expected, select_sharded(strategy, source=sharded, settings=settings, **kwargs))


def test_knn_and_means_equal_neighbors_module():
    _, source, target, _ = _pools(7, n=5000, m=40)
    sharded = ShardedEmbeddings.from_array(source, rows_per_block=777)
    settings = ShardedSelectionSettings(chunk_rows=1500)
    for got, want in zip(
        streaming_knn(sharded, target, 50, settings), knn(source, target, 50), strict=True
    ):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(
        streaming_mean_distances(sharded, target, settings), mean_distances(source, target)
    )


def test_doubling_past_the_first_width_streams_again():
    rng = np.random.default_rng(3)
    source = rng.normal(size=(3000, 8)).astype(np.float32)
    target = np.repeat(rng.normal(size=(1, 8)).astype(np.float32), 50, axis=0)  # one neighbourhood
    margins = rng.random(3000).astype(np.float32)
    passes = []

    def open_pass():
        passes.append(1)
        return (source[i : i + 1000] for i in range(0, 3000, 1000))

    sharded = ShardedEmbeddings(3000, 8, open_pass)
    kwargs = {"target_emb": target, "uncertainty": margins, "budget": 100}
    got = select_sharded("knn-uncertainty", source=sharded, **kwargs)
    _assert_same(
        strategies.select_with_details("knn-uncertainty", source_emb=source, **kwargs), got
    )
    assert got.k_used == 128
    assert len(passes) == 3  # first width 32, a wider pass for k=128, then the gather pass


def test_parquet_and_npy_sources(tmp_path):
    rng, source, target, margins = _pools(11, n=3000, m=25)
    paths = []
    for number, start in enumerate(range(0, 3000, 1100)):
        paths.append(tmp_path / f"scores-{number}.parquet")
        table = pa.table({"embedding": matrix_to_fixed_size_list(source[start : start + 1100])})
        pq.write_table(table, paths[-1], row_group_size=300)
    np.save(tmp_path / "emb.npy", source)
    kwargs = {"target_emb": target, "uncertainty": margins, "budget": 50, "k": 2}
    expected = strategies.select_with_details("knn-uncertainty", source_emb=source, **kwargs)
    for sharded in (
        ShardedEmbeddings.from_parquet(paths),
        ShardedEmbeddings.from_npy(tmp_path / "emb.npy", rows_per_block=512),
    ):
        assert (sharded.n_rows, sharded.dim) == (3000, 16)
        _assert_same(expected, select_sharded("knn-uncertainty", source=sharded, **kwargs))


def test_nan_in_a_later_shard_names_its_row():
    _, source, target, margins = _pools(2, n=2000, m=10)
    source[1234, 3] = np.nan
    sharded = ShardedEmbeddings.from_array(source, rows_per_block=500)
    with pytest.raises(SelectionError, match="first at row 1234"):
        select_sharded(
            "average-dist", source=sharded, target_emb=target, uncertainty=margins, budget=5
        )


def test_bad_inputs_are_refused():
    _, source, target, margins = _pools(4, n=200, m=10)
    sharded = ShardedEmbeddings.from_array(source, rows_per_block=64)
    args = {"source": sharded, "uncertainty": margins}
    with pytest.raises(SelectionError, match="dimension mismatch"):
        select_sharded("knn-uncertainty", target_emb=target[:, :4], budget=5, **args)
    with pytest.raises(SelectionError, match="budget 201 > 200"):
        select_sharded("knn-uncertainty", target_emb=target, budget=201, **args)
    with pytest.raises(SelectionError, match="unknown strategy"):
        select_sharded("nearest", target_emb=target, budget=5, **args)
    spread = "egalitarian-knn-uncertainty"
    with pytest.raises(SelectionError, match=f"'{spread}' needs languages"):
        select_sharded(spread, target_emb=target, budget=5, **args)
    with pytest.raises(SelectionError, match=r"languages must have shape \(200,\)"):
        select_sharded(spread, target_emb=target, budget=5, languages=["hau"] * 3, **args)
    short = ShardedEmbeddings(300, 16, sharded.open_pass)
    with pytest.raises(SelectionError, match="hold 200 rows, expected 300"):
        select_sharded(
            "average-dist", source=short, target_emb=target, uncertainty=np.zeros(300), budget=5
        )
