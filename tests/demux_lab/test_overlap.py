"""The overlap precision study: kappa's spread over simulated doubled batches."""

from __future__ import annotations

import numpy as np
import pytest

from demux_lab.cli import main
from demux_lab.overlap import kappa_spread, overlap_markdown


def test_perfect_annotators_always_agree() -> None:
    spread = kappa_spread(12, 7, 1.0, 50, np.random.default_rng(0))
    assert (spread.low, spread.mean, spread.high) == (1.0, 1.0, 1.0)


def test_more_doubled_items_narrow_the_spread_around_the_true_kappa() -> None:
    rng = np.random.default_rng(0)
    small, large = (kappa_spread(n, 4, 0.8, 400, rng) for n in (10, 160))
    assert large.half_width < small.half_width / 2  # about 1/sqrt(16) as wide
    # the truth: p_o = 0.8^2 + 0.2^2 / 3, p_e = 1/4 for 4 equally likely classes
    p_o = 0.64 + 0.04 / 3
    assert large.mean == pytest.approx((p_o - 0.25) / 0.75, abs=0.02)


def test_the_table_rounds_the_doubled_picks_up_like_the_app(capsys) -> None:
    text = overlap_markdown((0.05, 0.1), budget=30, rounds=(2,), classes=3, accuracy=0.9,
                            draws=20, seed=1)  # fmt: skip
    assert "| 5 % | 2 of 30 | 4 items:" in text and "| 10 % | 3 of 30 | 6 items:" in text
    assert main(["overlap", "--shares", "0.1", "--rounds", "1", "--draws", "10"]) == 0
    assert "| 10 % | 2 of 20 | 2 items:" in capsys.readouterr().out
