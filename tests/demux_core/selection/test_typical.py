"""Cold start: typical-knn picks one typical point per cluster of the target's neighbourhood."""

from __future__ import annotations

import numpy as np

from demux_core.selection.strategies import REGISTRY, select
from demux_core.selection.typical import kmeans, typicality


def _blobs(seed: int = 0):
    """Three tight source blobs near the target, one far blob, plus scattered outliers."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [6, 0], [0, 6], [60, 60]], dtype=np.float32)
    source = np.concatenate([c + rng.normal(scale=0.5, size=(30, 2)) for c in centres])
    outliers = rng.uniform(-3, 9, size=(6, 2))
    source = np.concatenate([source, outliers]).astype(np.float32)
    target = (centres[:3] + rng.normal(scale=0.3, size=(3, 2))).astype(np.float32)
    return source, target


def test_one_typical_point_per_blob_near_the_target():
    source, target = _blobs()
    picks = select("typical-knn", source_emb=source, target_emb=target,
                   uncertainty=np.zeros(len(source)), budget=3, k=4, seed=0)  # fmt: skip
    blobs = sorted(int(i) // 30 for i in picks)
    assert blobs == [0, 1, 2]  # one per nearby blob; never the far blob, never an outlier
    for pick in picks:  # each pick sits near its blob's centre (typical, not an edge point)
        centre = source[(pick // 30) * 30 : (pick // 30) * 30 + 30].mean(axis=0)
        assert np.linalg.norm(source[pick] - centre) < 0.6
    again = select("typical-knn", source_emb=source, target_emb=target,
                   uncertainty=np.ones(len(source)), budget=3, k=4, seed=0)  # fmt: skip
    np.testing.assert_array_equal(picks, again)  # margins are not read


def test_excluded_points_are_never_picked_and_small_pools_give_everything():
    source, target = _blobs()
    picks = select("typical-knn", source_emb=source, target_emb=target,
                   uncertainty=np.zeros(len(source)), budget=3, k=4, seed=0)  # fmt: skip
    again = select("typical-knn", source_emb=source, target_emb=target,
                   uncertainty=np.zeros(len(source)), budget=3, k=4, seed=0,
                   exclude=picks.tolist())  # fmt: skip
    assert set(picks).isdisjoint(again) and len(again) == 3
    few = select("typical-knn", source_emb=source[:3], target_emb=target,
                 uncertainty=np.zeros(3), budget=3, k=1, seed=0)  # fmt: skip
    assert sorted(few.tolist()) == [0, 1, 2]
    assert REGISTRY["typical-knn"].margins == "none" and REGISTRY["typical-knn"].distances


def test_kmeans_and_typicality_on_hand_made_points():
    points = np.array([[0, 0], [0, 1], [10, 10], [10, 11]], dtype=np.float32)
    labels = kmeans(points, 2, seed=1)
    assert labels[0] == labels[1] != labels[2] == labels[3]
    line = np.array([[0], [1], [2], [10]], dtype=np.float32)
    typical = typicality(line, neighbours=2)
    assert typical.argmax() == 1 and typical.argmin() == 3  # the middle one; the lone one
