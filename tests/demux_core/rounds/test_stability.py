"""Label-free progress: kappa between successive rounds' target predictions, and when to stop."""

from __future__ import annotations

import pytest

from demux_core.rounds.stability import cohen_kappa, prediction_agreement, stopping_round


def test_kappa_matches_a_hand_computed_value():
    first = list("aaaaabbbbb")
    second = list("aaaabaabbb")
    assert sum(x == y for x, y in zip(first, second, strict=True)) == 7
    # p_a = (a 0.5, b 0.5), p_b = (a 0.6, b 0.4): p_e 0.5, p_o 0.7 -> (0.7 - 0.5) / 0.5 = 0.4
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa(list("abab"), list("abab")) == pytest.approx(1.0)
    assert cohen_kappa(list("abab"), list("baba")) == pytest.approx(-1.0)
    assert cohen_kappa(list("aaaa"), list("aaaa")) == 1.0  # one constant: full agreement


def test_token_predictions_compare_word_by_word():
    previous = [("B-PER", "O", "O"), ("O", "B-LOC")]
    current = [("B-PER", "O", "B-LOC"), ("O", "B-LOC")]
    agreement = prediction_agreement(previous, current)
    assert agreement.units == 5 and agreement.changed == pytest.approx(0.2)
    # observed 0.8; B-PER 0.2*0.2, O 0.6*0.4, B-LOC 0.2*0.4 -> p_e 0.36
    assert agreement.kappa == pytest.approx((0.8 - 0.36) / (1 - 0.36))
    with pytest.raises(ValueError, match="2 previous predictions against 1"):
        prediction_agreement(previous, current[:1])


def test_the_stop_fires_when_the_window_average_reaches_the_threshold():
    kappas = [(2, 0.6), (3, 0.95), (4, 0.995), (5, 0.999), (6, 1.0)]
    assert stopping_round(kappas, 0.99, 3) == 6  # mean of rounds 4-6 >= 0.99; 3-5 only 0.98
    assert stopping_round(kappas, 0.99, window=1) == 4
    assert stopping_round(kappas) == 4  # the defaults: 0.9 over 2 rounds (0.95 and 0.995)
    assert stopping_round(kappas[:2]) is None
    with pytest.raises(ValueError, match="window"):
        stopping_round(kappas, window=0)
