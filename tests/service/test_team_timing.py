"""Active time per item with idle gaps cut off, and labels per active hour."""

from __future__ import annotations

import pytest

from service.team.timing import active_seconds


def test_gaps_count_in_full_up_to_the_idle_limit():
    # shown at 0, a tag at 10, another at 25, a 10-minute break, the commit at 625
    assert active_seconds([0, 10, 25, 625], idle_limit=120) == 10 + 15 + 120
    assert active_seconds([625, 0, 25, 10], idle_limit=120) == 145  # order does not matter
    assert active_seconds([0, 30], idle_limit=120) == 30
    assert active_seconds([5]) == 0.0


def test_the_idle_limit_must_be_positive():
    with pytest.raises(ValueError, match="idle_limit"):
        active_seconds([0, 1], idle_limit=0)


def test_the_idle_limit_can_be_set_for_the_server(monkeypatch):
    from service.team.timing import IDLE_LIMIT_S, idle_limit_s

    assert idle_limit_s() == IDLE_LIMIT_S
    monkeypatch.setenv("DEMUX_IDLE_LIMIT_S", "45")
    assert idle_limit_s() == 45.0
    for bad in ("0", "-3", "soon"):
        monkeypatch.setenv("DEMUX_IDLE_LIMIT_S", bad)
        assert idle_limit_s() == IDLE_LIMIT_S
