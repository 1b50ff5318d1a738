"""Scores, embeddings files and map projections by model version."""

from __future__ import annotations

import numpy as np
import pytest

from storage import StorageError


def _scores(seed: int, n: int = 20, dim: int = 8):
    rng = np.random.default_rng(seed)
    predictions = [{"label": "sports", "p": float(p)} for p in rng.random(n)]
    return rng.random(n), predictions, rng.standard_normal((n, dim)).astype(np.float32)


def test_scores_round_trip_and_replace(store) -> None:
    unc, preds, emb = _scores(0)
    store.save_scores("v1", None, "source", unc, preds, emb)
    got_unc, got_preds, got_emb = store.load_scores("v1", "source")
    np.testing.assert_allclose(got_unc, unc)
    assert got_preds == preds and got_emb.dtype == np.float32
    np.testing.assert_array_equal(got_emb, emb)
    unc2, preds2, emb2 = _scores(1, dim=4)
    store.save_scores("v1", None, "source", unc2, preds2, emb2)
    np.testing.assert_array_equal(store.load_scores("v1", "source")[2], emb2)
    assert len(list(store.artifacts.iterdir())) == 1  # the replaced file is gone
    assert store.model_versions() == ["v1"]


def test_scores_shape_errors_store_nothing(store) -> None:
    unc, preds, emb = _scores(0)
    with pytest.raises(ValueError, match="uncertainty has 19"):
        store.save_scores(2, None, "source", unc[:-1], preds, emb)
    with pytest.raises(ValueError, match="embeddings must be"):
        store.save_scores(2, None, "source", unc, preds, emb[0])
    unc[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        store.save_scores(2, None, "source", unc, preds, emb)
    with pytest.raises(StorageError, match="no scores"):
        store.load_scores(2, "source")


def test_orphan_files_are_removed(store) -> None:
    store.save_scores("v1", None, "source", *_scores(0))
    orphan = store.artifacts / "emb-left-by-a-crash.npy"
    orphan.write_bytes(b"x")
    assert store.remove_orphan_files() == [orphan.name]
    assert store.load_scores("v1", "source")[2].shape == (20, 8)


def test_projection_spans_pools(store) -> None:
    where = [("source", 3), ("target", 0), ("source", 0)]
    coords = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    store.save_projection(7, where, coords)
    got_where, got_coords = store.load_projection("7")
    assert got_where == where
    np.testing.assert_array_equal(got_coords, coords)
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        store.save_projection(7, where, coords[:2])
    with pytest.raises(StorageError):
        store.load_projection("8")
