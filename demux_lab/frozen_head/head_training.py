"""Fit the linear task head of the frozen-encoder recipe on cached encoder features.

A training module: a multinomial logistic regression (scikit-learn, L-BFGS) on standardised
features, folded back into one plain ``(weight, bias)`` pair so that applying the head is a
single matrix product in numpy (:func:`head_logits`).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

import numpy as np

from demux_core.config import HeadConfig
from demux_core.errors import DemuxError

MISSING_CLASS_BIAS = -1e4  # a class never seen in training is never predicted


class HeadTrainingError(DemuxError, ValueError):
    """The head cannot be fitted on these rows."""


@dataclass(frozen=True)
class LinearHead:
    """A fitted linear head.

    Attributes
    ----------
    weight : np.ndarray, shape (C, d), float32
    bias : np.ndarray, shape (C,), float32
    version : str
        Digest of the weights (recorded with every score and selection).
    """

    weight: np.ndarray
    bias: np.ndarray
    version: str


def head_logits(head: LinearHead, inputs: np.ndarray) -> np.ndarray:
    """Logits, shape (n, C), float32, of ``inputs`` with shape (n, d)."""
    return inputs.astype(np.float32, copy=False) @ head.weight.T + head.bias


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of an (n, C) array (float64 for stable margins)."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def margins(logits: np.ndarray) -> np.ndarray:
    """``log p(top1) - log p(top2)`` per row, shape (n,), float64 (lower = more uncertain)."""
    log_probs = log_softmax(logits)
    top2 = np.partition(log_probs, -2, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def fit_head(
    inputs: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    n_classes: int,
    config: HeadConfig | None = None,
) -> LinearHead:
    """Fit the head from scratch.

    Parameters
    ----------
    inputs : np.ndarray, shape (N, d), float32
    targets : np.ndarray, shape (N,), int64
        Class ids in ``[0, n_classes)``.
    weights : np.ndarray, shape (N,), float
        Per-row loss weights (> 0).
    n_classes : int
    config : HeadConfig or None

    Returns
    -------
    LinearHead
        Deterministic for the same rows and settings.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    config = config or HeadConfig()
    inputs, targets, weights = _checked(inputs, targets, weights, n_classes)
    present = np.unique(targets)
    if len(present) < 2:
        raise HeadTrainingError(f"the head needs two classes among the rows, got {present}")
    mean = inputs.mean(axis=0)
    scale = inputs.std(axis=0) + 1e-6
    classifier = LogisticRegression(
        C=config.regularization,
        max_iter=config.max_iter,
        class_weight="balanced" if config.class_balance else None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit((inputs - mean) / scale, targets, sample_weight=weights)
    coef = (
        classifier.coef_
        if len(present) > 2
        else np.vstack([-classifier.coef_, classifier.coef_]) / 2
    )
    intercept = (
        classifier.intercept_
        if len(present) > 2
        else np.array([-classifier.intercept_[0], classifier.intercept_[0]]) / 2
    )
    weight = np.zeros((n_classes, inputs.shape[1]), dtype=np.float64)
    bias = np.full(n_classes, MISSING_CLASS_BIAS, dtype=np.float64)
    weight[present] = coef / scale
    bias[present] = intercept - (coef / scale) @ mean
    weight, bias = weight.astype(np.float32), bias.astype(np.float32)
    digest = hashlib.sha1(weight.tobytes() + bias.tobytes()).hexdigest()[:12]
    return LinearHead(weight, bias, f"head-{digest}")


def _checked(inputs, targets, weights, n_classes):
    inputs = np.asarray(inputs, dtype=np.float32)
    targets = np.asarray(targets, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    if inputs.ndim != 2 or len(inputs) == 0:
        raise HeadTrainingError(f"inputs must be a non-empty (N, d) array, got {inputs.shape}")
    if targets.shape != (len(inputs),) or weights.shape != (len(inputs),):
        raise HeadTrainingError(
            f"{len(inputs)} rows but targets {targets.shape} and weights {weights.shape}"
        )
    if targets.min() < 0 or targets.max() >= n_classes:
        raise HeadTrainingError(f"targets must lie in [0, {n_classes})")
    if not np.all(np.isfinite(inputs)) or not np.all(weights > 0):
        raise HeadTrainingError("inputs must be finite and weights > 0")
    return inputs, targets, weights
