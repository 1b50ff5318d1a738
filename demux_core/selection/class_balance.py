"""Balanced pick orders: predicted classes (or source languages) take turns (numpy only).

Used by the ``balanced-knn-uncertainty`` strategy (and, over languages, by
``egalitarian-knn-uncertainty``). The classes are the model's own
predictions for the unlabeled source points (gold labels are unknown at selection time):

- sequence and pair tasks: the predicted label;
- token tasks: the entity types predicted in the sentence (``B-``/``I-``/``E-``/``S-``
  prefixes dropped, ``O`` ignored), sorted and joined with ``+`` (``"LOC+PER"``), or ``"O"``
  when the sentence has none. For POS tagging nearly every sentence has its own tag set, so
  the balancing then changes little;
- QA: ``"answer"`` or ``"no answer"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NO_ENTITY = "O"
_PREFIXES = ("B-", "I-", "E-", "S-", "L-", "U-")


def _entity_type(tag: str) -> str:
    return tag[2:] if tag.startswith(_PREFIXES) else tag


def prediction_class(prediction: object) -> str:
    """The class one prediction is balanced under (see the module docstring)."""
    if isinstance(prediction, str):
        return prediction if prediction else "no answer"
    if (
        isinstance(prediction, tuple)
        and len(prediction) == 2
        and isinstance(prediction[0], int | np.integer)
    ):
        return "answer"
    types = {_entity_type(str(tag)) for tag in prediction} - {NO_ENTITY, ""}
    return "+".join(sorted(types)) if types else NO_ENTITY


def prediction_classes(predictions: Sequence[object]) -> np.ndarray:
    """Classes of a pool's predictions, shape (n,), str."""
    return np.array([prediction_class(p) for p in predictions], dtype=str).reshape(-1)


def group_round_robin(
    candidates: np.ndarray, margins: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """``candidates`` ordered so that groups take turns, most uncertain first.

    The groups are predicted classes (``balanced-knn-uncertainty``) or source languages
    (``egalitarian-knn-uncertainty``). Within each group the members are ranked by margin
    (LOWER = more uncertain = earlier; ties by index). The order then takes every group's
    rank-0 member, then every rank-1 member, and so on; inside one such turn, lower margins
    come first. A group with few candidates simply drops out of later turns, so the first
    ``b`` points of the order hold at most ``ceil(b / q)`` points of any group while ``q``
    groups still have candidates.

    Parameters
    ----------
    candidates : ndarray, shape (c,), int -- source indices, any order, no duplicates
    margins : ndarray, shape (n,), float -- margins of the whole pool
    groups : ndarray, shape (n,), str -- group (class or language) of every pool point

    Returns
    -------
    ndarray, shape (c,), int64 -- ``candidates`` in pick order
    """
    candidates = np.sort(np.asarray(candidates, dtype=np.int64))
    if candidates.size == 0:
        return candidates
    by_margin = candidates[np.argsort(margins[candidates], kind="stable")]
    _, group_ids = np.unique(groups[by_margin], return_inverse=True)
    grouped = np.argsort(group_ids, kind="stable")  # by group, margin order kept inside
    sorted_ids = group_ids[grouped]
    turn = np.empty(by_margin.size, dtype=np.int64)
    turn[grouped] = np.arange(by_margin.size) - np.searchsorted(sorted_ids, sorted_ids)
    order = np.lexsort((by_margin, margins[by_margin], turn))
    return by_margin[order]
