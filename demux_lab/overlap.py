"""How precisely a share of doubled picks measures agreement: the evidence for the app's
``overlap`` default (``python -m demux_lab overlap``).

A simulated pair of annotators labels ``n`` items of ``classes`` equally likely classes;
each gives the true class with probability ``accuracy``, else one of the others at random,
independently of the other annotator. Over ``draws`` such batches, the spread of Cohen's
kappa (:func:`demux_core.agreement.pair_kappa`) says how far one project's measured kappa
may sit from the truth after so many doubled items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from demux_core.agreement import pair_kappa
from service.team.overlap import overlap_count


@dataclass(frozen=True)
class KappaSpread:
    """Kappa over ``draws`` simulated batches of ``items`` doubled items.

    ``low`` and ``high`` bound the middle 95 % of the draws; ``mean`` is their mean.
    """

    items: int
    mean: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def kappa_spread(
    items: int, classes: int, accuracy: float, draws: int, rng: np.random.Generator
) -> KappaSpread:
    """Simulate ``draws`` batches of ``items`` items doubled by two annotators (module
    docstring); kappa's mean and middle 95 %."""
    truth = rng.integers(classes, size=(draws, items))

    def annotator() -> np.ndarray:
        wrong = rng.random((draws, items)) >= accuracy
        shift = rng.integers(1, classes, size=(draws, items))  # another class, uniformly
        return np.where(wrong, (truth + shift) % classes, truth)

    first, second = annotator(), annotator()
    kappas = np.array([pair_kappa([str(v) for v in a], [str(v) for v in b])
                       for a, b in zip(first, second, strict=True)])  # fmt: skip
    low, high = np.percentile(kappas, [2.5, 97.5])
    return KappaSpread(items, float(kappas.mean()), float(low), float(high))


def overlap_markdown(
    shares: Sequence[float],
    budget: int,
    rounds: Sequence[int],
    classes: int,
    accuracy: float,
    draws: int,
    seed: int,
) -> str:
    """A table: per share, the extra labels per round and kappa's middle 95 % after each
    number of ``rounds`` of ``budget`` picks (doubled picks per round as the app counts them:
    :func:`service.team.overlap.overlap_count`)."""
    rng = np.random.default_rng(seed)
    head = "| share | doubled per round | " + " | ".join(f"after {r} rounds" for r in rounds)
    lines = [head + " |", "|---" * (2 + len(rounds)) + "|"]
    for share in shares:
        per_round = overlap_count(budget, share)
        cells = []
        for count in rounds:
            spread = kappa_spread(per_round * count, classes, accuracy, draws, rng)
            cells.append(f"{per_round * count} items: {spread.low:.2f} to {spread.high:.2f}")
        lines.append(
            f"| {100 * share:.0f} % | {per_round} of {budget} | " + " | ".join(cells) + " |"
        )
    truth = kappa_spread(2000, classes, accuracy, 200, rng).mean
    return ("\n".join(lines) + f"\n\nSimulated: {classes} equally likely classes, each "
            f"annotator right with probability {accuracy}; true kappa about {truth:.2f}; "
            f"{draws} draws per cell, seed {seed}.\n")  # fmt: skip
