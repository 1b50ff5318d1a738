"""The pool index builds on Ray (a project with engine "ray") with the vectors a local build gets."""

import numpy as np

from demux_core.data.examples import SequenceExample
from demux_core.index import IndexSettings, PoolRows, build_pool_index
from demux_core.scoring.encoder_vectors import encoder_embedder
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
CLASSES = ("place", "sport", "science")


def _rows(examples):
    return PoolRows(len(examples), lambda a, b: [(e.id, e) for e in examples[a:b]])


def test_index_built_on_ray_equals_the_local_one(ray_session, tiny_model_dir, tmp_path):
    words = tiny_model.TINY_SENTENCES
    source = [SequenceExample(f"s{i}", "hau", f"{words[i % len(words)]} {i}") for i in range(30)]
    target = [SequenceExample(f"t{i}", "wol", words[i % len(words)]) for i in range(5)]
    pools = {"source": _rows(source), "target": _rows(target)}
    settings = IndexSettings(chunk_rows=16)
    spec = str(tiny_model_dir)
    local = build_pool_index(tmp_path / "local", "g", pools, encoder_embedder(spec, "sequence", CLASSES),
                             settings)  # fmt: skip
    on_ray = build_pool_index(tmp_path / "ray", "g", pools,
                              encoder_embedder(spec, "sequence", CLASSES, engine="ray"), settings)  # fmt: skip
    for pool in ("source", "target"):
        np.testing.assert_allclose(on_ray.vectors[pool], local.vectors[pool], rtol=1e-4, atol=1e-5)
