"""The Ray engine gives the local engine's scores and selections (Ray local mode)."""

from __future__ import annotations

import builtins
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from demux_core.config import ScoringConfig
from demux_core.data.examples import SequenceExample, TaskType
from demux_core.errors import DataFormatError
from demux_core.models.task_model import TaskModel
from demux_core.scale.embedding_shards import ShardedEmbeddings
from demux_core.scale.engine import score_pool_with_engine
from demux_core.scale.ray_scoring import (
    RAY_MISSING,
    collect_scores,
    decode_prediction,
    encode_prediction,
    import_ray,
)
from demux_core.scale.shards import write_pool_shards
from demux_core.selection import strategies
from demux_lab.sharded_selection import select_sharded
from tests.conftest import _shared_data_dir
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
LABELS = ("science", "travel", "politics", "sports", "health", "entertainment", "geography")


def _sentences() -> tuple[list[SequenceExample], list[SequenceExample]]:
    """A few dozen real SIB-200 sentences (source: 3 languages, target: 1), else synthetic."""
    root = _shared_data_dir()
    if root is not None:
        from demux_core.data.readers.shared_data import read_sib200

        source = [
            e
            for lang in ("eng_Latn", "fra_Latn", "hau_Latn")
            for e in read_sib200(lang, "dev", root)[:14]
        ]
        return source, read_sib200("amh_Ethi", "dev", root)[:10]
    words = " ".join(tiny_model.TINY_SENTENCES).split()
    rng = np.random.default_rng(0)
    make = lambda i, lang: SequenceExample(f"{lang}{i}", lang, " ".join(rng.choice(words, 9)))  # noqa: E731
    return [make(i, "en") for i in range(42)], [make(i, "xx") for i in range(10)]


@pytest.fixture(scope="module")
def scored(ray_session, tiny_model_dir, tiny_tokenizer, tmp_path_factory):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", LABELS, seed=3)
    source, target = _sentences()
    config = ScoringConfig(batch_size=8, device="cpu", num_threads=1)
    local = score_pool_with_engine(model, tiny_tokenizer, source, config)
    on_ray = score_pool_with_engine(
        model,
        tiny_tokenizer,
        source,
        config,
        engine="ray",
        work_dir=tmp_path_factory.mktemp("ray-work"),
        rows_per_shard=10,
        num_actors=2,
    )
    target_scores = score_pool_with_engine(model, tiny_tokenizer, target, config)
    return local, on_ray, target_scores


def test_ray_scores_equal_local_scores(scored):
    local, on_ray, _ = scored
    np.testing.assert_allclose(on_ray.embeddings, local.embeddings, atol=1e-5, rtol=0)
    np.testing.assert_allclose(on_ray.uncertainty, local.uncertainty, atol=1e-5, rtol=0)
    assert on_ray.predictions == local.predictions
    assert on_ray.example_ids == local.example_ids
    assert on_ray.model_version == local.model_version


@pytest.mark.parametrize("strategy", ["knn-uncertainty", "average-dist", "uncertainty"])
def test_selection_on_ray_scores_equals_local(scored, strategy):
    local, on_ray, target = scored
    kwargs = {"target_emb": target.embeddings, "budget": 8, "exclude": [0, 5]}
    expected = strategies.select(
        strategy, source_emb=local.embeddings, uncertainty=local.uncertainty, **kwargs
    )
    sharded = ShardedEmbeddings.from_array(on_ray.embeddings, rows_per_block=10)
    got = select_sharded(strategy, source=sharded, uncertainty=on_ray.uncertainty, **kwargs)
    np.testing.assert_array_equal(got.indices, expected)


def test_missing_ray_gives_install_hint(monkeypatch):
    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "ray", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ImportError, match="pip install -r requirements-scale.txt"):
        import_ray()
    with pytest.raises(ImportError, match="requirements-scale.txt"):
        score_pool_with_engine(None, None, [], engine="ray")
    assert "requirements-scale.txt" in RAY_MISSING


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine='spark' is not one of local, ray"):
        score_pool_with_engine(None, None, [], engine="spark")


@pytest.mark.parametrize(
    ("prediction", "task"),
    [
        (("O", "B-PER"), TaskType.TOKEN),
        ("sports", TaskType.SEQUENCE),
        ((3, "Lagos"), TaskType.QA),
        ("", TaskType.QA),
    ],
)
def test_prediction_json_round_trip(prediction, task):
    assert decode_prediction(encode_prediction(prediction), task) == prediction


def test_collect_scores_detects_missing_rows(tmp_path):
    manifest = write_pool_shards(
        [SequenceExample(f"s{i}", "en", "x") for i in range(3)], tmp_path / "pool"
    )
    out = tmp_path / "scores"
    out.mkdir()
    table = pa.table(
        {
            "row": pa.array([0, 2], pa.int64()),
            "embedding": pa.FixedSizeListArray.from_arrays(
                pa.array([0.0, 1.0, 2.0, 3.0], pa.float32()), 2
            ),
            "uncertainty": pa.array([0.1, 0.2], pa.float32()),
            "prediction": ['"a"', '"b"'],
            "model_version": ["v1", "v1"],
        }
    )
    pq.write_table(table, out / "part.parquet")
    with pytest.raises(DataFormatError, match="rows missing from the scores, first 1"):
        collect_scores(out, manifest)
