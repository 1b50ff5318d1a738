"""Active annotation time: from an item's display to its commit, idle gaps cut off.

The app records, per item, the moments the annotator was seen working on it: when the item
was shown, each interaction the server saw (a tag set, a draft changed), and the commit.
A gap between two successive moments counts in full up to :data:`IDLE_LIMIT_S`; a longer
gap (a coffee break with the tab open) counts as the limit, so one forgotten tab does not
make an annotator look ten times slower.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IDLE_LIMIT_S = 120.0
IDLE_LIMIT_ENV = "DEMUX_IDLE_LIMIT_S"


def idle_limit_s() -> float:
    """The server's idle limit: ``$DEMUX_IDLE_LIMIT_S`` when set to a positive number, else
    :data:`IDLE_LIMIT_S`."""
    try:
        value = float(os.environ.get(IDLE_LIMIT_ENV, IDLE_LIMIT_S))
    except ValueError:
        return IDLE_LIMIT_S
    return value if value > 0 else IDLE_LIMIT_S


def active_seconds(moments: Sequence[float], idle_limit: float = IDLE_LIMIT_S) -> float:
    """Active time of one item.

    Parameters
    ----------
    moments : sequence of float
        Epoch seconds of the display, the interactions and the commit (any order).
    idle_limit : float
        The most a single gap counts, in seconds (> 0).

    Returns
    -------
    float
        The sum of the gaps between successive moments, each capped at ``idle_limit``;
        0 for fewer than two moments.
    """
    if idle_limit <= 0:
        raise ValueError(f"idle_limit must be > 0, got {idle_limit}")
    ordered = sorted(moments)
    return float(sum(min(b - a, idle_limit) for a, b in zip(ordered, ordered[1:], strict=False)))


@dataclass(frozen=True)
class Pace:
    """One annotator's (or one round's) labels and active hours."""

    labels: int
    hours: float

    @property
    def per_hour(self) -> float:
        """Labels per active hour (NaN before any active time)."""
        return self.labels / self.hours if self.hours > 0 else float("nan")


def pace(timed: Iterable[tuple[str, float]]) -> dict[str, Pace]:
    """Labels and active hours per key, from ``(key, active seconds)`` per label."""
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for key, active in timed:
        counts[key] = counts.get(key, 0) + 1
        seconds[key] = seconds.get(key, 0.0) + float(active)
    return {key: Pace(counts[key], seconds[key] / 3600) for key in counts}
