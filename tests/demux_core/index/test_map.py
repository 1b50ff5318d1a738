"""The fixed map: fitted once; rows imported later are placed without moving the others."""

import numpy as np
import pytest

from demux_core.index import IndexSettings, PoolRows, build_pool_index
from demux_core.index.map import fixed_map
from demux_core.rounds.projection import ProjectionConfig
from tests.demux_core.index.test_build import Embedder, _pool


def _index(folder, n_source):
    source, target = _pool("s", n_source), _pool("t", 30)
    pools = {name: PoolRows(len(p), lambda a, b, p=p: [(e.id, e) for e in p[a:b]])
             for name, p in (("source", source), ("target", target))}  # fmt: skip
    return build_pool_index(folder, "g", pools, Embedder(), IndexSettings(chunk_rows=64))


@pytest.mark.slow
def test_the_map_is_fitted_once_and_new_rows_do_not_move_the_others(tmp_path, monkeypatch):
    config = ProjectionConfig(max_points=150, n_epochs=30)
    first = fixed_map(_index(tmp_path, 200), config)
    assert first["source"].shape == (200, 2) and first["target"].shape == (30, 2)
    assert np.isfinite(first["source"]).all()
    import demux_core.index.map as map_module

    def no_refit(*args, **kwargs):
        raise AssertionError("the map was fitted again")

    monkeypatch.setattr(map_module, "_fit", no_refit)
    again = fixed_map(_index(tmp_path, 200), config)  # nothing changed: read back
    np.testing.assert_array_equal(again["source"], first["source"])
    grown = fixed_map(_index(tmp_path, 260), config)  # 60 imported rows: placed, not refitted
    assert grown["source"].shape == (260, 2) and np.isfinite(grown["source"]).all()
    np.testing.assert_array_equal(grown["source"][:200], first["source"])
    np.testing.assert_array_equal(grown["target"], first["target"])
