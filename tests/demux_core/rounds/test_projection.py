import numpy as np
import pytest

from demux_core.rounds.projection import (
    ProjectionConfig,
    choose_map_points,
    project_2d,
    project_pools,
)


def test_choose_map_points_keeps_targets_and_picks_and_caps_size():
    src, tgt = choose_map_points(1000, 50, keep_source=[3, 999, 500], max_points=200, seed=1)
    assert len(src) + len(tgt) == 200
    assert set([3, 999, 500]) <= set(src.tolist())
    assert tgt.tolist() == list(range(50))
    assert np.all(np.diff(src) > 0)  # sorted, no duplicates


def test_choose_map_points_is_deterministic_and_keeps_all_when_small():
    a = choose_map_points(1000, 10, [1, 2], max_points=100, seed=7)[0]
    b = choose_map_points(1000, 10, [1, 2], max_points=100, seed=7)[0]
    assert np.array_equal(a, b)
    small, _ = choose_map_points(30, 10, [], max_points=100, seed=0)
    assert small.tolist() == list(range(30))


def test_choose_map_points_rejects_out_of_range_picks():
    with pytest.raises(ValueError, match="outside the source pool"):
        choose_map_points(10, 2, [10], max_points=5)


def test_project_pools_shapes_and_reproducible():
    rng = np.random.default_rng(0)
    source = rng.normal(size=(120, 8)).astype(np.float32)
    target = rng.normal(loc=3.0, size=(20, 8)).astype(np.float32)
    cfg = ProjectionConfig(max_points=100, n_epochs=50, seed=3)
    first = project_pools(source, target, [5, 119], cfg)
    second = project_pools(source, target, [5, 119], cfg)
    assert first.source_coords.shape == (80, 2) and first.target_coords.shape == (20, 2)
    assert first.source_coords.dtype == np.float32
    np.testing.assert_allclose(first.source_coords, second.source_coords)
    # the shifted target cluster lands apart from the source cloud
    gap = np.linalg.norm(first.target_coords.mean(0) - first.source_coords.mean(0))
    assert gap > first.source_coords.std(0).mean()


def test_project_2d_tiny_input_falls_back_to_pca():
    coords = project_2d(np.eye(3, 5, dtype=np.float32), ProjectionConfig())
    assert coords.shape == (3, 2) and np.isfinite(coords).all()
