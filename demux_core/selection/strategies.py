"""Which source points to label next: the DeMuX selection strategies.

Every strategy is a pure function ``(SelectionInputs) -> Picked`` registered by name in
:data:`STRATEGIES`. Use :func:`select` (indices only) or :func:`select_with_details`
(indices plus the per-point diagnostics the app stores). All distances are L2. Uncertainty
is a margin: LOWER means MORE uncertain and is picked first. Ties are broken by source
index (lowest first); the random strategies are reproducible from ``seed``. Argument
checking lives in :mod:`demux_core.selection.inputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from demux_core.selection.class_balance import group_round_robin, prediction_classes
from demux_core.selection.inputs import (
    Picked,
    Selection,
    SelectionInputs,
    validate_selection_inputs,
)
from demux_core.selection.knn_union import knn_union
from demux_core.selection.neighbors import knn, mean_distances
from demux_core.selection.typical import typical_knn

UNCERTAINTY_KNN_CANDIDATE_FACTOR = 4


Strategy = Callable[[SelectionInputs], Picked]


def _ranked(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """``candidates`` (ascending indices) ordered by ascending score, ties by index."""
    return candidates[np.argsort(scores[candidates], kind="stable")]


def random_strategy(inputs: SelectionInputs) -> Picked:
    """Uniform draw without replacement among selectable points (no score)."""
    rng = np.random.default_rng(inputs.seed)
    pool = np.flatnonzero(inputs.selectable)
    return Picked(rng.choice(pool, size=inputs.budget, replace=False).astype(np.int64), 0)


def _equal_shares(capacity: np.ndarray, budget: int) -> np.ndarray:
    """Water-filling: each language gets ``budget // L``; a language with fewer points gives
    its remainder to the others, round after round. Returns counts (L,) int64 whose sum is at
    most ``budget``; the rest is fewer than the languages with points left, each of which can
    take one more."""
    shares = np.zeros(len(capacity), dtype=np.int64)
    open_ = np.ones(len(capacity), dtype=bool)
    remaining = budget
    while open_.any():
        share = remaining // int(open_.sum())
        full = open_ & (capacity <= share)
        if not full.any():
            shares[open_] = share
            break
        shares[full] = capacity[full]
        remaining -= int(capacity[full].sum())
        open_ &= ~full
    return shares


def egalitarian(inputs: SelectionInputs) -> Picked:
    """Equal random share per source language (no score).

    Languages are those with at least one selectable point, in sorted order. Each gets an
    equal share (water-filling around languages with too few points); when the budget does
    not divide evenly, the leftover points go one each to distinct languages drawn at random
    among those with points left, so shares differ by at most one (a budget below the number
    of languages picks from that many different languages). Points within a language are
    drawn uniformly.
    """
    rng = np.random.default_rng(inputs.seed)
    pool = np.flatnonzero(inputs.selectable)
    pool_languages = inputs.languages[pool]
    names = np.unique(pool_languages)
    members = [pool[pool_languages == name] for name in names]
    capacity = np.array([len(m) for m in members], dtype=np.int64)
    shares = _equal_shares(capacity, inputs.budget)
    leftover = inputs.budget - int(shares.sum())
    if leftover:
        with_room = np.flatnonzero(capacity > shares)
        shares[rng.choice(with_room, size=leftover, replace=False)] += 1
    picks = [
        rng.choice(m, size=int(s), replace=False) for m, s in zip(members, shares, strict=True)
    ]
    return Picked(np.concatenate(picks).astype(np.int64), 0)


def average_dist(inputs: SelectionInputs) -> Picked:
    """Score = mean L2 distance to all target points; LOWEST first."""
    means = mean_distances(inputs.source_emb, inputs.target_emb)
    order = _ranked(means, np.flatnonzero(inputs.selectable))
    return Picked(order[: inputs.budget].astype(np.int64), 0)


def lowest_margin(inputs: SelectionInputs) -> Picked:
    """Score = margin; LOWEST (most uncertain) first."""
    order = _ranked(inputs.uncertainty, np.flatnonzero(inputs.selectable))
    return Picked(order[: inputs.budget].astype(np.int64), 0)


def knn_uncertainty(inputs: SelectionInputs) -> Picked:
    """DeMuX's default. Score = margin, LOWEST first, among target neighbourhoods.

    Starting from ``k``, take the union of every target point's k nearest source points
    (L2); while it holds no more than ``budget`` selectable points and ``k < n``, double k
    (capped at n). Then pick the selectable union points with the lowest margins.
    ``k_used`` is the final k.
    """
    union, k = knn_union(inputs)
    order = _ranked(inputs.uncertainty, np.flatnonzero(union))
    return Picked(order[: inputs.budget].astype(np.int64), k)


def balanced_knn_uncertainty(inputs: SelectionInputs) -> Picked:
    """knn-uncertainty whose picks are spread over the model's predicted classes.

    Candidates: the union of :func:`knn_uncertainty` (same k and doubling). Score = margin,
    LOWEST first, within each predicted class (``inputs.classes``); the classes take turns
    (:func:`demux_core.selection.class_balance.group_round_robin`), so no predicted class gets more
    than its share while others still have candidates.
    """
    union, k = knn_union(inputs)
    order = group_round_robin(np.flatnonzero(union), inputs.uncertainty, inputs.classes)
    return Picked(order[: inputs.budget].astype(np.int64), k)


def egalitarian_knn_uncertainty(inputs: SelectionInputs) -> Picked:
    """knn-uncertainty whose picks are spread over the source languages.

    Candidates: the union of :func:`knn_uncertainty` (same k and doubling). Score = margin,
    LOWEST first, within each source language (``inputs.languages``); the languages take
    turns (:func:`demux_core.selection.class_balance.group_round_robin`), so no language gets more
    than ``ceil(budget / q)`` picks while ``q`` languages still have candidates.
    """
    union, k = knn_union(inputs)
    order = group_round_robin(np.flatnonzero(union), inputs.uncertainty, inputs.languages)
    return Picked(order[: inputs.budget].astype(np.int64), k)


def uncertainty_knn(inputs: SelectionInputs) -> Picked:
    """The other order (paper's open question 1). Score = L2 distance to the NEAREST target
    point, LOWEST first, among the most uncertain points.

    Candidates: the ``4 * budget`` selectable points with the lowest margins (ties by index;
    all selectable points when fewer). They are ordered by distance to their nearest target
    point (ties by margin, then index) and the first ``budget`` are picked.
    """
    pool = _ranked(inputs.uncertainty, np.flatnonzero(inputs.selectable))
    candidates = np.sort(pool[: UNCERTAINTY_KNN_CANDIDATE_FACTOR * inputs.budget])
    nearest, _ = knn(inputs.target_emb, inputs.source_emb[candidates], 1)
    order = np.lexsort((candidates, inputs.uncertainty[candidates], nearest[:, 0]))
    return Picked(candidates[order[: inputs.budget]].astype(np.int64), 1)


@dataclass(frozen=True)
class StrategySpec:
    """One strategy: its function and what it needs, in one registry entry.

    Attributes
    ----------
    function : Strategy
    distances : bool -- reads distances to the target pool (which must not be empty)
    scores : bool -- reads the model's margins or embeddings (False: no rescoring needed)
    classes : bool -- needs the predicted class of every source point
    languages : bool -- needs the language of every source point
    margins : {"all", "candidates", "none"} -- which margins it reads: every selectable
        point's, only those of the target neighbourhoods' union (knn-uncertainty family), or
        none (a round with fixed distance vectors then rescores nothing to select)
    """

    function: Strategy
    distances: bool = False
    scores: bool = True
    classes: bool = False
    languages: bool = False
    margins: str = "all"


# In the order the app offers them; lower margin = more uncertain = picked first.
REGISTRY: dict[str, StrategySpec] = {
    "knn-uncertainty": StrategySpec(knn_uncertainty, distances=True, margins="candidates"),
    "balanced-knn-uncertainty": StrategySpec(
        balanced_knn_uncertainty, distances=True, classes=True, margins="candidates"
    ),
    "egalitarian-knn-uncertainty": StrategySpec(
        egalitarian_knn_uncertainty, distances=True, languages=True, margins="candidates"
    ),
    "uncertainty-knn": StrategySpec(uncertainty_knn, distances=True),
    "average-dist": StrategySpec(average_dist, distances=True, margins="none"),
    "typical-knn": StrategySpec(typical_knn, distances=True, margins="none"),
    "uncertainty": StrategySpec(lowest_margin),
    "egalitarian": StrategySpec(egalitarian, scores=False, languages=True, margins="none"),
    "random": StrategySpec(random_strategy, scores=False, margins="none"),
}
# Views of the registry, for callers that ask one question.
STRATEGIES: dict[str, Strategy] = {name: spec.function for name, spec in REGISTRY.items()}
DISTANCE_STRATEGIES = frozenset(name for name, spec in REGISTRY.items() if spec.distances)
CLASS_STRATEGIES = frozenset(name for name, spec in REGISTRY.items() if spec.classes)
LANGUAGE_STRATEGIES = frozenset(name for name, spec in REGISTRY.items() if spec.languages)
SCORE_FREE_STRATEGIES = frozenset(name for name, spec in REGISTRY.items() if not spec.scores)


def classes_for(strategy: str, predictions: Sequence[object]) -> np.ndarray | None:
    """Predicted classes (n,) str when ``strategy`` balances over them, else None (no work)."""
    return prediction_classes(predictions) if strategy in CLASS_STRATEGIES else None


def select_with_details(
    strategy: str,
    *,
    source_emb: np.ndarray,
    target_emb: np.ndarray,
    uncertainty: np.ndarray,
    budget: int,
    exclude: Iterable[int] = (),
    languages: Sequence[str] | np.ndarray | None = None,
    k: int = 1,
    seed: int = 0,
    classes: Sequence[str] | np.ndarray | None = None,
    search: Callable[[int], np.ndarray] | None = None,
) -> Selection:
    """Pick ``budget`` new source points with ``strategy`` and report per-point diagnostics.

    Parameters are those of :func:`select`, plus ``search`` (see :class:`SelectionInputs`).
    Raises :class:`SelectionError` on bad input.
    """
    inputs = validate_selection_inputs(
        strategy,
        tuple(STRATEGIES),
        DISTANCE_STRATEGIES,
        source_emb,
        target_emb,
        uncertainty,
        budget,
        exclude,
        languages,
        k,
        seed,
        classes,
        CLASS_STRATEGIES,
        LANGUAGE_STRATEGIES,
    )
    picked = STRATEGIES[strategy](replace(inputs, search=search))
    if inputs.target_emb.shape[0]:
        distances = mean_distances(inputs.source_emb[picked.indices], inputs.target_emb)
    else:
        distances = np.full(len(picked.indices), np.nan, dtype=np.float32)
    return Selection(
        indices=picked.indices,
        distance_to_target=distances,
        uncertainty=inputs.uncertainty[picked.indices],
        k_used=picked.k_used,
        strategy=strategy,
    )


def select(
    strategy: str,
    *,
    source_emb: np.ndarray,
    target_emb: np.ndarray,
    uncertainty: np.ndarray,
    budget: int,
    exclude: Iterable[int] = (),
    languages: Sequence[str] | np.ndarray | None = None,
    k: int = 1,
    seed: int = 0,
    classes: Sequence[str] | np.ndarray | None = None,
) -> np.ndarray:
    """Exactly ``budget`` new source indices (int64, none in ``exclude``), in pick order.

    Parameters
    ----------
    strategy : str -- a key of :data:`STRATEGIES` (default choice: :data:`demux_core.recipes.DEFAULT_STRATEGY`)
    source_emb : ndarray, shape (n, d), float32
    target_emb : ndarray, shape (m, d), float32
    uncertainty : ndarray, shape (n,), float -- margins, lower = more uncertain
    budget : int -- >= 1 and <= number of non-excluded source points
    exclude : iterable of int -- source indices already labeled or selected
    languages : sequence of str, shape (n,), optional -- required by ``egalitarian``
    k : int -- initial k of ``knn-uncertainty``
    seed : int -- seed of the random strategies
    classes : sequence of str, shape (n,), optional -- predicted class of every source point
        (:func:`demux_core.selection.class_balance.prediction_classes`); required by
        ``balanced-knn-uncertainty``

    Returns
    -------
    ndarray, shape (budget,), int64
    """
    return select_with_details(
        strategy,
        source_emb=source_emb,
        target_emb=target_emb,
        uncertainty=uncertainty,
        budget=budget,
        exclude=exclude,
        languages=languages,
        k=k,
        seed=seed,
        classes=classes,
    ).indices
