"""Active annotation time: from an item's display to its commit, idle gaps cut off.

The moments are the item's display, each of the annotator's moves (keys, clicks, pointer,
scroll) and the press. A gap between two successive moments counts in full up to the idle
limit (:func:`idle_limit_s`); a longer gap (a coffee break with the tab open) counts as the
limit, so one forgotten tab does not make an annotator look ten times slower. The page's
widgets apply this rule in the browser (``ui/widgets/press_queue.js``, with the server's limit)
and send the result with each press; :func:`active_seconds` states it in Python for tests.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

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
