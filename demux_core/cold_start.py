"""Which strategy picks a round's batch when no trained head exists yet (cold start).

Without a labeled seed set the first rounds have a task head that nothing trained, so its
margins are noise: until ``cold_start_labels`` labels have been acquired, a strategy that
reads margins is replaced by one that reads none (``random`` by default; ``typical-knn`` and
``average-dist`` aim at the target, ``off`` keeps the project's strategy). The app and
``simulate`` both ask :func:`round_strategy`, which also says why, in words.

The defaults are measured (docs/findings.md, "Cold start and when to stop"): from nothing,
random labels beat typical-knn's and average-dist's (these crowd into a few classes), and
margin picks never beat random on average up to 150 labels, the most measured.
"""

from __future__ import annotations

from dataclasses import dataclass

COLD_START_STRATEGIES = ("typical-knn", "average-dist", "random", "off")
DEFAULT_COLD_START = "random"
DEFAULT_COLD_START_LABELS = 150


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
        f"far, so the model's margins are still noise; this batch {_how(cold_start)}, and "
        f"{chosen} takes over from {cold_start_labels} labels"))  # fmt: skip


def _how(cold_start: str) -> str:
    if cold_start == "random":
        return "is drawn at random, which covers the classes best"
    return "comes from the embeddings alone"
