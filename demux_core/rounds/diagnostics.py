"""Diagnostics of the DeMuX premise: uncertainty is shared by neighbours across languages."""

from __future__ import annotations

import numpy as np

from demux_core.errors import SelectionError
from demux_core.selection.neighbors import knn


def neighborhood_uncertainty_pearson(
    source_emb: np.ndarray,
    target_emb: np.ndarray,
    source_unc: np.ndarray,
    target_unc: np.ndarray,
    k: int = 10,
) -> float:
    """Pearson correlation between each target point's uncertainty and the mean uncertainty
    of its ``k`` nearest (L2) source points. The DeMuX paper reports rho > 0.7.

    Parameters
    ----------
    source_emb : ndarray, shape (n, d), float32
    target_emb : ndarray, shape (m, d), float32, m >= 2
    source_unc : ndarray, shape (n,), float -- margins of the source points
    target_unc : ndarray, shape (m,), float -- margins of the target points
    k : int -- neighbours per target point, 1 <= k <= n

    Returns
    -------
    float
        Pearson's rho in [-1, 1].

    Raises
    ------
    SelectionError
        On mismatched shapes, NaN/inf, k out of range, or a constant series (rho undefined).
    """
    source_unc = np.asarray(source_unc, dtype=np.float64)
    target_unc = np.asarray(target_unc, dtype=np.float64)
    n, m = np.shape(source_emb)[0], np.shape(target_emb)[0]
    if source_unc.shape != (n,) or target_unc.shape != (m,):
        raise SelectionError(
            f"source_unc must have shape ({n},) and target_unc ({m},); "
            f"got {source_unc.shape} and {target_unc.shape}"
        )
    if m < 2:
        raise SelectionError(f"need at least 2 target points for a correlation, got {m}")
    if not 1 <= k <= n:
        raise SelectionError(f"k must be in [1, {n}] (number of source points), got {k}")
    for name, values in (("source_unc", source_unc), ("target_unc", target_unc)):
        if not np.isfinite(values).all():
            raise SelectionError(f"{name} contains NaN or inf")
    try:
        _, neighbours = knn(source_emb, target_emb, k)
    except ValueError as error:
        raise SelectionError(str(error)) from error
    neighbourhood = source_unc[neighbours].mean(axis=1)
    if np.ptp(neighbourhood) == 0 or np.ptp(target_unc) == 0:
        raise SelectionError("Pearson correlation undefined: an uncertainty series is constant")
    return float(np.corrcoef(target_unc, neighbourhood)[0, 1])
