import numpy as np
import pytest

from demux_core.errors import DemuxError
from demux_core.scoring.calibration import VectorScaling, fit_vector_scaling


def _nll(logits: np.ndarray, labels: np.ndarray) -> float:
    shifted = logits - logits.max(1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def _miscalibrated(seed: int = 0, n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels drawn from softmax(true); the model reports true / scales - biases."""
    rng = np.random.default_rng(seed)
    true = rng.normal(0, 2.0, size=(n, 3))
    probs = np.exp(true) / np.exp(true).sum(1, keepdims=True)
    labels = np.array([rng.choice(3, p=p) for p in probs])
    scales, biases = np.array([0.5, 2.0, 1.0]), np.array([1.0, -1.0, 0.0])
    reported = (true - biases) / scales
    return reported, labels, true


def test_identity_leaves_logits_alone():
    logits = np.array([[1.0, -2.0, 0.5]])
    np.testing.assert_allclose(VectorScaling.identity(3).apply(logits), logits)


def test_fit_recovers_a_known_miscalibration_and_lowers_the_nll():
    reported, labels, _ = _miscalibrated()
    scaling = fit_vector_scaling(reported, labels, l2=0.0)
    assert _nll(scaling.apply(reported), labels) < _nll(reported, labels) - 0.05
    # softmax is shift-invariant, so only differences between classes are identified
    np.testing.assert_allclose(scaling.scales, [0.5, 2.0, 1.0], atol=0.35)
    biases = np.asarray(scaling.biases)
    np.testing.assert_allclose(biases - biases[2], [1.0, -1.0, 0.0], atol=0.5)


def test_calibrated_logits_can_reorder_the_margins():
    reported, labels, _ = _miscalibrated()
    scaling = fit_vector_scaling(reported, labels, l2=0.0)

    def margins(z: np.ndarray) -> np.ndarray:
        top2 = np.sort(z - np.log(np.exp(z).sum(1, keepdims=True)), axis=1)[:, -2:]
        return top2[:, 1] - top2[:, 0]

    before = np.argsort(margins(reported))[:50]
    after = np.argsort(margins(scaling.apply(reported)))[:50]
    assert len(set(before) & set(after)) < 45  # a temperature would keep all 50


def test_a_strong_penalty_keeps_the_fit_near_the_identity():
    reported, labels, _ = _miscalibrated()
    scaling = fit_vector_scaling(reported, labels, l2=100.0)
    np.testing.assert_allclose(scaling.scales, 1.0, atol=0.02)
    np.testing.assert_allclose(scaling.biases, 0.0, atol=0.02)


def test_well_calibrated_logits_stay_near_the_identity():
    _, labels, true = _miscalibrated(seed=1, n=2000)
    scaling = fit_vector_scaling(true, labels, l2=0.0)
    np.testing.assert_allclose(scaling.scales, 1.0, atol=0.15)
    biases = np.asarray(scaling.biases)
    np.testing.assert_allclose(biases - biases.mean(), 0.0, atol=0.2)


@pytest.mark.parametrize(
    ("logits", "labels", "message"),
    [
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "shape"),
        (np.zeros((4, 1)), np.zeros(4, dtype=int), "shape"),
        (np.zeros((4, 3)), np.zeros(3, dtype=int), "4 integer labels"),
        (np.zeros((4, 3)), np.array([0, 1, 2, 3]), "0..2"),
        (np.full((2, 3), np.nan), np.array([0, 1]), "NaN"),
    ],
)
def test_bad_held_out_input_is_refused_with_the_problem_named(logits, labels, message):
    with pytest.raises(DemuxError, match=message):
        fit_vector_scaling(logits, labels)


def test_scaling_checks_its_own_shape():
    with pytest.raises(ValueError, match="one scale and one bias per class"):
        VectorScaling((1.0, 1.0), (0.0,))
    with pytest.raises(ValueError, match="fitted on 2"):
        VectorScaling.identity(2).apply(np.zeros((1, 3)))
