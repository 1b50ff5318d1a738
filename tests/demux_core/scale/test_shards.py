"""Parquet pool shards: round trips for every task family, manifest checks."""

from __future__ import annotations

import json

import pytest

from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.errors import DataFormatError
from demux_core.scale.shards import (
    MANIFEST_FILE,
    read_manifest,
    read_pool_shards,
    should_shard,
    write_pool_shards,
)

POOLS = {
    "token": [
        TokenExample("t0", "hau", ("Amina", "ta", "je"), ("B-PER", "O", "O")),
        TokenExample("t1", "yor", ("Lagos",), None),
        TokenExample("t2", "ibo", ("a", "b"), ("O", "O")),
    ],
    "sequence": [
        SequenceExample(f"s{i}", "eng_Latn", f"text {i}", None, None if i % 2 else "sports")
        for i in range(7)
    ],
    "pair": [
        SequenceExample("p0", "fra", "premise", "hypothesis", "entailment"),
        SequenceExample("p1", "fra", "autre", "chose", None),
    ],
    "qa": [
        QAExample("q0", "swa", "Who?", "Amina went home.", 0, "Amina"),
        QAExample("q1", "swa", "Where?", "No answer here.", -1, ""),
        QAExample("q2", "swa", "When?", "Unlabeled.", None, None),
    ],
}


@pytest.mark.parametrize("task", sorted(POOLS))
@pytest.mark.parametrize("rows_per_shard", [1, 2, 100])
def test_round_trip_keeps_examples_and_order(tmp_path, task, rows_per_shard):
    pool = POOLS[task]
    manifest = write_pool_shards(pool, tmp_path / "pool", rows_per_shard)
    shards = list(read_pool_shards(tmp_path / "pool"))
    assert [example for shard in shards for example in shard] == pool
    assert len(shards) == len(manifest.shards) == -(-len(pool) // rows_per_shard)
    assert manifest.n_rows == len(pool)


def test_mixed_task_families_are_refused(tmp_path):
    mixed = [POOLS["sequence"][0], POOLS["token"][0]]
    with pytest.raises(DataFormatError, match=r"example 1 \('t0'\) is a token example"):
        write_pool_shards(mixed, tmp_path / "pool")


def test_sequence_and_pair_may_share_a_pool(tmp_path):
    pool = POOLS["sequence"][:2] + POOLS["pair"]
    write_pool_shards(pool, tmp_path / "pool", 3)
    assert [e for shard in read_pool_shards(tmp_path / "pool") for e in shard] == pool


def test_existing_manifest_is_not_overwritten(tmp_path):
    write_pool_shards(POOLS["token"], tmp_path / "pool")
    with pytest.raises(FileExistsError, match="new folder"):
        write_pool_shards(POOLS["token"], tmp_path / "pool")


def test_missing_shard_file_is_named(tmp_path):
    manifest = write_pool_shards(POOLS["sequence"], tmp_path / "pool", 3)
    (tmp_path / "pool" / manifest.shards[1].file).unlink()
    with pytest.raises(DataFormatError, match="pool-00001.parquet.*missing"):
        read_manifest(tmp_path / "pool")


def test_manifest_with_a_gap_is_refused(tmp_path):
    write_pool_shards(POOLS["sequence"], tmp_path / "pool", 3)
    path = tmp_path / "pool" / MANIFEST_FILE
    payload = json.loads(path.read_text())
    payload["shards"][1]["first_row"] = 4
    path.write_text(json.dumps(payload))
    with pytest.raises(DataFormatError, match="starts at row 4, expected 3"):
        read_manifest(tmp_path / "pool")


def test_shard_rows_disagreeing_with_manifest_are_refused(tmp_path):
    manifest = write_pool_shards(POOLS["sequence"], tmp_path / "pool", 3)
    first, second = (tmp_path / "pool" / s.file for s in manifest.shards[:2])
    first.write_bytes(second.read_bytes())
    with pytest.raises(DataFormatError, match="pool-00000.parquet.*disagree"):
        list(read_pool_shards(tmp_path / "pool"))


def test_folder_without_manifest(tmp_path):
    with pytest.raises(DataFormatError, match="no pool manifest"):
        read_manifest(tmp_path)


def test_should_shard_threshold():
    assert not should_shard(99, threshold=100)
    assert should_shard(100, threshold=100)
