"""Which strategy picks a round's batch before a head is trained (cold start)."""

from __future__ import annotations

import pytest

from demux_core.cold_start import round_strategy


def test_without_seed_labels_the_cold_start_strategy_picks_until_enough_labels():
    first = round_strategy("knn-uncertainty", seed_labels=0, labels=0)
    assert first.strategy == "random" and "cold start" in first.reason  # the measured default
    assert "0 of 150 labels" in first.reason and "knn-uncertainty takes over" in first.reason
    assert "drawn at random" in first.reason
    later = round_strategy("knn-uncertainty", seed_labels=0, labels=150)
    assert later.strategy == "knn-uncertainty" and "150 labels train the head" in later.reason
    typical = round_strategy("knn-uncertainty", seed_labels=0, labels=0, cold_start="typical-knn")
    assert typical.strategy == "typical-knn" and "from the embeddings alone" in typical.reason
    chosen = round_strategy("knn-uncertainty", seed_labels=0, labels=5, cold_start="average-dist",
                            cold_start_labels=10)  # fmt: skip
    assert chosen.strategy == "average-dist"


def test_a_seed_set_or_off_keeps_the_projects_strategy():
    assert round_strategy("uncertainty", seed_labels=100, labels=0).strategy == "uncertainty"
    off = round_strategy("uncertainty", seed_labels=0, labels=0, cold_start="off")
    assert off.strategy == "uncertainty" and "cold start off" in off.reason
    with pytest.raises(ValueError, match="cold_start must be one of"):
        round_strategy("uncertainty", seed_labels=0, labels=0, cold_start="kmeans")


def test_strategies_that_read_no_margin_are_kept_even_cold():
    for strategy in ("random", "egalitarian", "average-dist"):
        choice = round_strategy(strategy, seed_labels=0, labels=0)
        assert choice.strategy == strategy and "reads no margin" in choice.reason
