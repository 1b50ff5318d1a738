"""Which strategy picks a round's batch when no trained head exists yet (cold start).

Without a labeled seed set the first rounds have a task head that nothing trained, so its
margins are noise: until ``cold_start_labels`` labels have been acquired, a strategy that
reads margins is replaced by a distance-only strategy aimed at the target (``typical-knn`` by default; ``average-dist`` and
``random`` are the alternatives, ``off`` keeps the project's strategy). The app and
``simulate`` both ask :func:`round_strategy`, which also says why, in words.

The default number of labels is provisional (one default batch): the cold-start grids that
would measure it are listed as not yet run in docs/findings.md.
"""

from __future__ import annotations

from dataclasses import dataclass

COLD_START_STRATEGIES = ("typical-knn", "average-dist", "random", "off")
DEFAULT_COLD_START = "typical-knn"
DEFAULT_COLD_START_LABELS = 20


@dataclass(frozen=True)
class StrategyChoice:
    """The strategy that picks a round's batch, and why (shown with the round)."""

    strategy: str
    reason: str


def round_strategy(
    chosen: str,
    *,
    seed_labels: int,
    labels: int,
    cold_start: str = DEFAULT_COLD_START,
    cold_start_labels: int = DEFAULT_COLD_START_LABELS,
) -> StrategyChoice:
    """The strategy of the next round.

    Parameters
    ----------
    chosen : str -- the project's (or run's) strategy
    seed_labels : int -- labeled seed examples (a warm start trains the head on them)
    labels : int -- labels acquired in the rounds so far
    cold_start : str -- one of :data:`COLD_START_STRATEGIES`
    cold_start_labels : int -- labels after which ``chosen`` takes over
    """
    if cold_start not in COLD_START_STRATEGIES:
        raise ValueError(f"cold_start must be one of {COLD_START_STRATEGIES}, got {cold_start!r}")
    from demux_core.selection.strategies import REGISTRY

    if seed_labels > 0:
        return StrategyChoice(chosen, f"{chosen}, the project's strategy (the seed set trained "
                                      "the model's head)")  # fmt: skip
    if chosen in REGISTRY and REGISTRY[chosen].margins == "none":
        return StrategyChoice(chosen, f"{chosen}, the project's strategy (it reads no margin)")
    if cold_start == "off" or labels >= cold_start_labels:
        why = "cold start off" if cold_start == "off" else f"{labels} labels train the head"
        return StrategyChoice(chosen, f"{chosen}, the project's strategy ({why})")
    return StrategyChoice(cold_start, (
        f"{cold_start}, cold start: no seed set and {labels} of {cold_start_labels} labels so "
        "far, so the model's margins are still noise; this batch comes from the embeddings "
        f"alone, and {chosen} takes over from {cold_start_labels} labels"))  # fmt: skip
