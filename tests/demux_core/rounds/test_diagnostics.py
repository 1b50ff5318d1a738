"""The neighbourhood-uncertainty correlation diagnostic."""

import numpy as np
import pytest

from demux_core.errors import SelectionError
from demux_core.rounds.diagnostics import neighborhood_uncertainty_pearson


def test_hand_computed_correlation():
    # 1-D points. k = 2 nearest sources of t0 = 0.1: s0, s1 (mean margin 0.2);
    # of t1 = 5.1: s2, s3 (mean 0.6); of t2 = 9.9: s4, s5 (mean 0.9).
    source = np.array([[0.0], [1.0], [5.0], [6.0], [9.0], [10.0]], dtype=np.float32)
    target = np.array([[0.1], [5.1], [9.9]], dtype=np.float32)
    source_unc = np.array([0.1, 0.3, 0.5, 0.7, 0.8, 1.0])
    target_unc = np.array([0.0, 1.0, 0.0])
    rho = neighborhood_uncertainty_pearson(source, target, source_unc, target_unc, k=2)
    expected = np.corrcoef([0.0, 1.0, 0.0], [0.2, 0.6, 0.9])[0, 1]
    assert rho == pytest.approx(expected)


def test_uncertainty_that_follows_position_correlates_strongly():
    rng = np.random.default_rng(0)
    source = rng.normal(size=(400, 4)).astype(np.float32)
    target = rng.normal(size=(60, 4)).astype(np.float32)

    def margin(x):
        return x[:, 0] + 0.05 * rng.normal(size=len(x))

    rho = neighborhood_uncertainty_pearson(source, target, margin(source), margin(target), k=5)
    assert rho > 0.9


def test_unrelated_uncertainty_correlates_weakly():
    rng = np.random.default_rng(1)
    source = rng.normal(size=(400, 4)).astype(np.float32)
    target = rng.normal(size=(200, 4)).astype(np.float32)
    rho = neighborhood_uncertainty_pearson(source, target, rng.random(400), rng.random(200), k=5)
    assert abs(rho) < 0.3


@pytest.mark.parametrize(
    ("source_unc", "target_unc", "k", "message"),
    [
        (np.zeros(3), np.array([0.0, 1.0]), 1, "constant"),
        (np.arange(3.0), np.array([0.0, 1.0]), 4, r"k must be in \[1, 3\]"),
        (np.arange(2.0), np.array([0.0, 1.0]), 1, r"source_unc must have shape \(3,\)"),
        (np.array([0, np.nan, 1]), np.array([0.0, 1.0]), 1, "source_unc contains NaN"),
    ],
)
def test_bad_input_is_a_clear_error(source_unc, target_unc, k, message):
    source = np.array([[0.0], [1.0], [2.0]], dtype=np.float32)
    target = np.array([[0.0], [2.0]], dtype=np.float32)
    with pytest.raises(SelectionError, match=message):
        neighborhood_uncertainty_pearson(source, target, source_unc, target_unc, k=k)
