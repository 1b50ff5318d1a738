"""Progress without a labeled test set: how much the model's target predictions still move.

Between two successive rounds the unlabeled target pool is the natural stop set
(Bloodgood and Vijay-Shanker, CoNLL 2009, "stabilizing predictions"): when the new model
predicts almost exactly what the last one did, further labels of this kind are unlikely to
move it. :func:`prediction_agreement` compares two rounds' predictions on the same target
rows (token tasks: every word's tag); :func:`stopping_round` finds the first round at which
the mean Cohen's kappa over the last ``window`` comparisons reaches ``threshold`` (the rule of
the paper, as in small-text's ``KappaAverage``; the defaults are measured, see below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Measured on this project's grids (docs/findings.md, "Cold start and when to stop"): the
# paper's 0.99 over 3 rounds fired in 1 of 81 runs; with 60-100 target sentences a round flips a
# few predictions even when the test score is flat. 0.9 over 2 rounds fired in all 9 runs whose
# score had stopped moving (saving 87 % of their labels, +0.5 points on average, worst -2.0)
# and in 1 of 72 runs that were still learning from nothing (a model predicting one label
# everywhere, which service.label_free does not call stable).
DEFAULT_KAPPA = 0.9
DEFAULT_WINDOW = 2


@dataclass(frozen=True)
class Agreement:
    """Agreement of two rounds' predictions on the same rows.

    Attributes
    ----------
    kappa : float -- Cohen's kappa in [-1, 1] (1.0 when both are the same constant)
    changed : float -- share of compared units (sentences; words for token tasks) whose
        prediction changed, in [0, 1]
    units : int -- how many units were compared
    """

    kappa: float
    changed: float
    units: int


def units(predictions: Sequence) -> list[str]:
    """One unit per prediction (a class, repr'd), or per word for a tag sequence, in order."""
    units: list[str] = []
    for prediction in predictions:
        if isinstance(prediction, list | tuple) and all(isinstance(p, str) for p in prediction):
            units.extend(prediction)  # a token task: one unit per word
        else:
            units.append(repr(prediction))
    return units


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two equally long label sequences (1.0 when both are one constant)."""
    if len(first) != len(second):
        raise ValueError(f"{len(first)} labels against {len(second)}")
    if not first:
        raise ValueError("kappa needs at least one label")
    a, b = np.asarray(first, dtype=object), np.asarray(second, dtype=object)
    observed = float(np.mean(a == b))
    labels = sorted(set(first) | set(second))
    expected = sum(float(np.mean(a == label)) * float(np.mean(b == label)) for label in labels)
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def prediction_agreement(previous: Sequence, current: Sequence) -> Agreement:
    """Agreement of two rounds' predictions on the same rows, in the same order.

    Parameters
    ----------
    previous, current : sequence, same length
        Per row: a class label (str), a tuple of tags (token tasks: compared word by word),
        or any other prediction (compared whole).

    Raises
    ------
    ValueError
        When the rows, or a token row's words, do not line up.
    """
    if len(previous) != len(current):
        raise ValueError(f"{len(previous)} previous predictions against {len(current)}")
    first, second = units(previous), units(current)
    kappa = cohen_kappa(first, second)
    changed = float(np.mean(np.asarray(first, dtype=object) != np.asarray(second, dtype=object)))
    return Agreement(kappa, changed, len(first))


def stopping_round(
    kappas: Sequence[tuple[int, float]],
    threshold: float = DEFAULT_KAPPA,
    window: int = DEFAULT_WINDOW,
) -> int | None:
    """The first round whose last ``window`` kappas (this round's included) average at least
    ``threshold``; None before that.

    Parameters
    ----------
    kappas : sequence of (round number, kappa with the round before), in round order
    threshold : float in (0, 1]
    window : int >= 1
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    for end in range(window, len(kappas) + 1):
        recent = [kappa for _, kappa in kappas[end - window : end]]
        if float(np.mean(recent)) >= threshold:
            return int(kappas[end - 1][0])
    return None
