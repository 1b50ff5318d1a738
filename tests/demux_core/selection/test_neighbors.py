"""Exact k-NN and mean distances against brute-force numpy."""

import numpy as np
import pytest

from demux_core.selection.neighbors import knn, knn_and_mean_distances, mean_distances


def brute_distances(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(m, n) float64 L2 distances, computed the slow obvious way."""
    diff = target[:, None, :].astype(np.float64) - source[None, :, :].astype(np.float64)
    return np.sqrt((diff**2).sum(axis=-1))


@pytest.fixture
def pools() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    source = rng.normal(size=(301, 12)).astype(np.float32)
    target = (rng.normal(size=(23, 12)) + 0.3).astype(np.float32)
    return source, target


@pytest.mark.parametrize("k", [1, 5, 301])
def test_knn_matches_brute_force(pools, k):
    source, target = pools
    full = brute_distances(source, target)
    expected = np.argsort(full, axis=1, kind="stable")[:, :k]
    distances, indices = knn(source, target, k)
    assert distances.dtype == np.float32 and indices.dtype == np.int64
    assert distances.shape == indices.shape == (23, k)
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_allclose(distances, np.take_along_axis(full, expected, 1), rtol=1e-5)


def test_knn_orders_equal_distances_by_index():
    source = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [3, 3]], dtype=np.float32)
    target = np.zeros((1, 2), dtype=np.float32)
    _, indices = knn(source, target, 4)
    np.testing.assert_array_equal(indices, [[0, 1, 2, 3]])


@pytest.mark.parametrize("block", [1, 64, 10_000])
def test_mean_distances_match_brute_force(pools, block):
    source, target = pools
    means = mean_distances(source, target, block=block)
    assert means.dtype == np.float32 and means.shape == (301,)
    np.testing.assert_allclose(means, brute_distances(source, target).mean(axis=0), rtol=1e-5)


def test_mean_distances_of_far_away_pools_stay_accurate():
    rng = np.random.default_rng(3)
    offset = np.full(8, 1000.0)
    source = (rng.normal(size=(50, 8)) + offset).astype(np.float32)
    target = (rng.normal(size=(9, 8)) + offset).astype(np.float32)
    expected = brute_distances(source, target).mean(axis=0)
    np.testing.assert_allclose(mean_distances(source, target), expected, rtol=1e-3)


def test_one_pass_gives_both_results(pools):
    source, target = pools
    (distances, indices), means = knn_and_mean_distances(source, target, k=7, block=50)
    ref_distances, ref_indices = knn(source, target, 7)
    np.testing.assert_array_equal(indices, ref_indices)
    np.testing.assert_allclose(distances, ref_distances, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(means, mean_distances(source, target), rtol=1e-6)


def test_dimension_mismatch_is_reported(pools):
    source, _ = pools
    with pytest.raises(ValueError, match="dimension mismatch: source has dim 12, target has dim 3"):
        knn(source, np.zeros((2, 3), dtype=np.float32), 1)


def test_k_out_of_range_is_reported(pools):
    source, target = pools
    with pytest.raises(ValueError, match=r"k must be in \[1, 301\]"):
        knn(source, target, 302)


def test_empty_target_has_no_mean_distance(pools):
    source, _ = pools
    with pytest.raises(ValueError, match="target pool is empty"):
        mean_distances(source, np.zeros((0, 12), dtype=np.float32))
