"""Per-class margin calibration (vector scaling), fitted on a labeled held-out set.

One temperature cannot change a pick: ``softmax(z / T)`` divides every log-probability gap by
``T``, and every strategy reads margins only through their order. Vector scaling can. The
calibrated logits are ``z' = a * z + b``, one scale ``a_c`` and one bias ``b_c`` per class,
fitted by minimising the negative log-likelihood of the held-out labels plus
``l2 * (||a - 1||^2 + ||b||^2)``, which keeps a small held-out set from pulling the model far
from its own logits (``l2 = 0`` is plain maximum likelihood). The fit is convex in ``(a, b)``.

Margins computed from ``z'`` (``log p'(top1) - log p'(top2)``) keep their direction: lower
margin = more uncertain = picked first. This module imports no torch; the scoring pass applies
the same affine map to its logits (:func:`demux_core.scoring.rows.log_prob_margins`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax

from demux_core.errors import DemuxError


@dataclass(frozen=True)
class VectorScaling:
    """Per-class affine map of logits: ``z' = scales * z + biases``.

    Attributes
    ----------
    scales : tuple of float, length C
    biases : tuple of float, length C
    """

    scales: tuple[float, ...]
    biases: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.scales) != len(self.biases) or len(self.scales) < 2:
            raise ValueError(
                f"vector scaling needs one scale and one bias per class (at least 2 classes), "
                f"got {len(self.scales)} scales and {len(self.biases)} biases"
            )
        if not np.all(np.isfinite(self.scales + self.biases)):
            raise ValueError("vector scaling parameters must be finite")

    @classmethod
    def identity(cls, num_classes: int) -> VectorScaling:
        """The map that leaves ``num_classes`` logits as they are."""
        return cls((1.0,) * num_classes, (0.0,) * num_classes)

    def apply(self, logits: np.ndarray) -> np.ndarray:
        """(..., C) logits -> (..., C) float64 calibrated logits."""
        logits = np.asarray(logits, dtype=np.float64)
        if logits.shape[-1] != len(self.scales):
            raise ValueError(
                f"logits have {logits.shape[-1]} classes; the scaling was fitted on "
                f"{len(self.scales)}"
            )
        return logits * np.asarray(self.scales) + np.asarray(self.biases)


def fit_vector_scaling(
    logits: np.ndarray, labels: np.ndarray, *, l2: float = 1e-2, max_iter: int = 500
) -> VectorScaling:
    """Fit per-class scales and biases on held-out ``logits`` and gold ``labels``.

    Parameters
    ----------
    logits : ndarray, shape (n, C), float
        The model's raw logits on the held-out rows (one row per sentence for sequence
        tasks, per scored word for token tasks).
    labels : ndarray, shape (n,), int
        Gold class index of each row, in ``0..C-1``.
    l2 : float
        Penalty on ``||a - 1||^2 + ||b||^2`` per row (added to the mean NLL).
    max_iter : int
        L-BFGS iterations.

    Returns
    -------
    VectorScaling

    Raises
    ------
    DemuxError
        Empty held-out set, shapes that do not match, a label outside ``0..C-1``, or
        non-finite logits.
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2 or logits.shape[0] == 0 or logits.shape[1] < 2:
        raise DemuxError(
            f"margin calibration needs held-out logits of shape (n >= 1, C >= 2), "
            f"got {logits.shape}"
        )
    n, classes = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise DemuxError(f"margin calibration needs {n} integer labels, got shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= classes:
        raise DemuxError(f"held-out labels must lie in 0..{classes - 1}; found {labels.max()}")
    if not np.all(np.isfinite(logits)):
        raise DemuxError("held-out logits contain NaN or infinity")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    rows = np.arange(n)
    onehot = np.zeros_like(logits)
    onehot[rows, labels] = 1.0

    def loss_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
        scales, biases = params[:classes], params[classes:]
        log_probs = log_softmax(logits * scales + biases, axis=1)
        residual = (np.exp(log_probs) - onehot) / n  # d(mean NLL) / d(z')
        loss = -log_probs[rows, labels].mean() + l2 * (
            np.sum((scales - 1.0) ** 2) + np.sum(biases**2)
        )
        grad_scales = (residual * logits).sum(0) + 2 * l2 * (scales - 1.0)
        grad_biases = residual.sum(0) + 2 * l2 * biases
        return float(loss), np.concatenate([grad_scales, grad_biases])

    start = np.concatenate([np.ones(classes), np.zeros(classes)])
    result = minimize(
        loss_and_grad, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter}
    )
    params = result.x if np.all(np.isfinite(result.x)) else start
    return VectorScaling(tuple(map(float, params[:classes])), tuple(map(float, params[classes:])))
