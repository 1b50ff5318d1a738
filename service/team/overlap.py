"""Deliberate overlap: the share of each round's picks that a second annotator also labels.

Which picks are doubled is fixed when the round is made: :func:`round_overlap` (the round's
``overlap`` share, frozen in its config by :func:`service.round_control.start_next_round`)
draws them with the round number as the seed, so every page and process agrees. The second
label never comes from the first's author (:meth:`storage.ProjectStore.claim_next`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

DEFAULT_OVERLAP = 0.10


def check_overlap(share: float) -> None:
    """ValueError unless ``share`` is in [0, 1]."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"overlap must be a share in [0, 1], got {share}")


def overlap_count(n_items: int, share: float) -> int:
    """How many of ``n_items`` are doubled: ``ceil(share * n)`` (at least one whenever the
    share is above 0 and there is an item), never more than ``n``."""
    check_overlap(share)
    return min(n_items, math.ceil(share * n_items - 1e-9)) if n_items else 0


def overlap_ranks(n_items: int, share: float, seed: int) -> frozenset[int]:
    """The 0-based ranks of a round's picks that get a second label.

    Parameters
    ----------
    n_items : int
        Picks in the round.
    share : float
        In [0, 1].
    seed : int
        The round number: the same round always doubles the same ranks.

    Returns
    -------
    frozenset of int
        :func:`overlap_count` ranks, drawn uniformly without replacement.
    """
    count = overlap_count(n_items, share)
    rng = np.random.default_rng(seed)
    return frozenset(int(rank) for rank in rng.choice(n_items, size=count, replace=False))


def round_overlap(config: dict, number: int, ranked_keys: Sequence[int]) -> frozenset[int]:
    """The example keys of a round's picks (``ranked_keys``, rank order) that get a second
    label, from the round's config (no ``overlap`` there, as in rounds made before: none)."""
    share = float(config.get("overlap", 0.0) or 0.0)
    ranks = overlap_ranks(len(ranked_keys), share, number)
    return frozenset(ranked_keys[rank] for rank in ranks)


def team_overlap(share: float, annotators: int) -> float:
    """The share a new round doubles: the project's setting when at least two accounts may
    label, else 0 (one person cannot give an item its second label)."""
    check_overlap(share)
    return share if annotators >= 2 else 0.0
