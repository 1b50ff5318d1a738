import numpy as np
import pytest

from demux_core.config import HeadConfig
from demux_lab.frozen_head.head_training import (
    HeadTrainingError,
    fit_head,
    head_logits,
    log_softmax,
    margins,
)


def _blobs(n_per_class=30, classes=3, d=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, size=(classes, d))
    inputs = np.concatenate(
        [centres[c] + rng.normal(0, 0.5, (n_per_class, d)) for c in range(classes)]
    )
    targets = np.repeat(np.arange(classes), n_per_class)
    return inputs.astype(np.float32), targets


def test_fit_head_separates_blobs_and_is_deterministic():
    inputs, targets = _blobs()
    weights = np.ones(len(targets))
    head = fit_head(inputs, targets, weights, 3)
    assert head.weight.shape == (3, 8) and head.weight.dtype == np.float32
    assert (head_logits(head, inputs).argmax(axis=1) == targets).mean() == 1.0
    again = fit_head(inputs, targets, weights, 3)
    assert np.array_equal(head.weight, again.weight) and head.version == again.version


def test_a_class_missing_from_training_is_never_predicted():
    inputs, targets = _blobs(classes=2)
    head = fit_head(inputs, targets, np.ones(len(targets)), 4)
    logits = head_logits(head, inputs)
    assert logits.shape == (len(inputs), 4)
    assert set(logits.argmax(axis=1)) <= {0, 1}
    assert (logits.argmax(axis=1) == targets).mean() == 1.0


def test_two_classes_match_scikit_learn_probabilities():
    from sklearn.linear_model import LogisticRegression

    inputs, targets = _blobs(classes=2, seed=3)
    head = fit_head(inputs, targets, np.ones(len(targets)), 2, HeadConfig(regularization=0.1))
    scaled = (inputs - inputs.mean(0)) / (inputs.std(0) + 1e-6)
    reference = LogisticRegression(C=0.1, max_iter=300).fit(scaled, targets)
    ours = np.exp(log_softmax(head_logits(head, inputs)))
    assert np.allclose(ours, reference.predict_proba(scaled), atol=1e-4)


def test_pick_weight_pulls_the_boundary_towards_heavy_rows():
    # one conflicting point: with a large weight the head must follow it
    inputs, targets = _blobs(classes=2, seed=1)
    odd = inputs[:1] * 0 + inputs[targets == 0].mean(0)
    rows = np.concatenate([inputs, odd])
    labels = np.concatenate([targets, [1]])
    light = fit_head(rows, labels, np.r_[np.ones(len(targets)), 1.0], 2)
    heavy = fit_head(rows, labels, np.r_[np.ones(len(targets)), 500.0], 2)
    assert head_logits(light, odd).argmax() == 0
    assert head_logits(heavy, odd).argmax() == 1


def test_margins_are_top1_minus_top2_log_probabilities():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]], dtype=np.float32)
    log_probs = log_softmax(logits)
    expected = np.sort(log_probs, axis=1)[:, -1] - np.sort(log_probs, axis=1)[:, -2]
    assert np.allclose(margins(logits), expected)
    assert margins(logits)[0] < margins(logits)[1]  # lower margin = more uncertain


@pytest.mark.parametrize("temperature", [0.25, 2.0, 7.5])
def test_temperature_scaling_divides_every_margin_by_the_temperature(temperature):
    """Why margin calibration by one temperature cannot move any pick: the log-probability
    gap is the logit gap, so softmax(z / T) gives every point margin / T (same order)."""
    logits = np.random.default_rng(3).normal(size=(50, 9)) * 4
    np.testing.assert_allclose(margins(logits / temperature), margins(logits) / temperature)


@pytest.mark.parametrize(
    "inputs, targets, weights, message",
    [
        (np.zeros((0, 3)), np.zeros(0), np.zeros(0), "non-empty"),
        (np.ones((2, 3)), np.array([0, 1, 1]), np.ones(2), "rows"),
        (np.ones((2, 3)), np.array([0, 5]), np.ones(2), "targets must lie"),
        (np.full((2, 3), np.nan), np.array([0, 1]), np.ones(2), "finite"),
        (np.ones((2, 3)), np.array([0, 0]), np.ones(2), "two classes"),
    ],
)
def test_bad_rows_are_refused_with_the_reason(inputs, targets, weights, message):
    with pytest.raises(HeadTrainingError, match=message):
        fit_head(inputs, targets, weights, 3)
