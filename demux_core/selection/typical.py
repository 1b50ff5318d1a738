"""Cold start: the most typical source points of the target's neighbourhood (no margin).

Before a model has a trained head its margins are noise, so the first batches come from the
embeddings alone. ``typical-knn`` follows TypiClust (Hacohen et al., "Active learning on a
budget", ICML 2022), aimed at the target as DeMuX is:

1. candidates: the union of the target points' k nearest source points, k doubling (as in
   ``knn-uncertainty``) until it holds more than ``TYPICAL_CANDIDATE_FACTOR x budget``
   selectable points;
2. k-means (k-means++ start, seeded) splits the candidates into ``budget`` clusters;
3. each candidate's typicality is the inverse of its mean L2 distance to its
   ``TYPICAL_NEIGHBOURS`` nearest fellow candidates (HIGHER = more typical);
4. the clusters, largest first, each give their most typical point.

numpy and :mod:`demux_core.selection.neighbors` (faiss) only.
"""

from __future__ import annotations

import numpy as np

from demux_core.selection.inputs import Picked, SelectionInputs
from demux_core.selection.knn_union import doubling_union, neighbour_search
from demux_core.selection.neighbors import knn

TYPICAL_CANDIDATE_FACTOR = 4
TYPICAL_NEIGHBOURS = 20
KMEANS_ITERATIONS = 25


def kmeans(points: np.ndarray, clusters: int, seed: int) -> np.ndarray:
    """Cluster labels (n,) int64 of (n, d) float32 ``points``: k-means++ start, Lloyd steps.

    Deterministic for a seed; an emptied cluster keeps its last centre.
    """
    rng = np.random.default_rng(seed)
    points = np.asarray(points, dtype=np.float64)
    centres = [points[rng.integers(len(points))]]
    nearest = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, clusters):
        total = nearest.sum()
        index = (
            rng.integers(len(points)) if total <= 0 else rng.choice(len(points), p=nearest / total)
        )
        centres.append(points[index])
        nearest = np.minimum(nearest, ((points - points[index]) ** 2).sum(axis=1))
    centres = np.stack(centres)
    labels = np.zeros(len(points), dtype=np.int64)
    for step in range(KMEANS_ITERATIONS):
        # squared L2 without the (n, clusters, d) difference array
        distances = (centres**2).sum(axis=1)[None, :] - 2.0 * points @ centres.T
        new_labels = distances.argmin(axis=1)
        if step > 0 and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for cluster in range(clusters):
            members = points[labels == cluster]
            if len(members):
                centres[cluster] = members.mean(axis=0)
    return labels


def typicality(points: np.ndarray, neighbours: int = TYPICAL_NEIGHBOURS) -> np.ndarray:
    """(n,) float64: 1 / mean L2 distance to each point's ``neighbours`` nearest others
    (HIGHER = more typical; a lone point gets 0)."""
    n = len(points)
    if n < 2:
        return np.zeros(n)
    width = min(neighbours, n - 1) + 1
    distances, _ = knn(points, points, width)  # L2; the first is the point itself
    mean = distances[:, 1:].astype(np.float64).mean(axis=1)
    return 1.0 / np.maximum(mean, 1e-12)


def candidate_budget(budget: int, selectable: int) -> int:
    """The union size the doubling must exceed: ``TYPICAL_CANDIDATE_FACTOR x budget``, at
    most the selectable points but one."""
    return max(min(TYPICAL_CANDIDATE_FACTOR * budget, selectable - 1), budget)


def typical_picks(candidates: np.ndarray, points: np.ndarray, budget: int, seed: int) -> np.ndarray:
    """One typical candidate per k-means cluster, largest cluster first.

    Parameters
    ----------
    candidates : ndarray, shape (c,), int64 -- ascending source indices
    points : ndarray, shape (c, d), float32 -- their embeddings
    budget : int -- picks (all candidates when c <= budget)
    seed : int

    Returns
    -------
    ndarray, shape (budget,), int64 -- source indices in pick order
    """
    if len(candidates) <= budget:
        return candidates.astype(np.int64)
    points = np.asarray(points, dtype=np.float32)
    labels = kmeans(points, budget, seed)
    typical = typicality(points)
    sizes = np.bincount(labels, minlength=budget)
    picks: list[int] = []
    for cluster in sorted(range(budget), key=lambda c: (-sizes[c], c)):
        members = np.flatnonzero(labels == cluster)
        if len(members):
            best = members[np.lexsort((candidates[members], -typical[members]))[0]]
            picks.append(int(candidates[best]))
    if len(picks) < budget:  # empty clusters: the most typical of the rest
        rest = np.flatnonzero(~np.isin(candidates, picks))
        order = rest[np.lexsort((candidates[rest], -typical[rest]))]
        picks += [int(candidates[i]) for i in order[: budget - len(picks)]]
    return np.asarray(picks, dtype=np.int64)


def typical_knn(inputs: SelectionInputs) -> Picked:
    """The most typical source point of each cluster of the target's neighbourhood (no
    margin read). ``k_used`` is the final k of the neighbourhood union."""

    wanted = candidate_budget(inputs.budget, int(inputs.selectable.sum()))
    union, k = doubling_union(neighbour_search(inputs), inputs.k, wanted, inputs.target_emb.shape[0],
                              inputs.selectable)  # fmt: skip
    candidates = np.flatnonzero(union)
    return Picked(typical_picks(candidates, inputs.source_emb[candidates], inputs.budget,
                                inputs.seed), k)  # fmt: skip
