"""Agreement between annotators, against values computed by hand and from the literature."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demux_core.agreement import alpha, kappa_interval, pair_kappa, span_f1, spans


def test_kappa_of_two_annotators_by_hand():
    # observed 3/4; chance 0.5 x 0.25 + 0.5 x 0.75 = 0.5; kappa = (0.75 - 0.5) / 0.5
    assert pair_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(0.5)


def test_kappa_of_tag_sequences_is_word_by_word():
    first = [("B-PER", "O"), ("O", "O")]
    second = [("B-PER", "O"), ("B-LOC", "O")]
    # words: (B-PER,B-PER) (O,O) (O,B-LOC) (O,O): observed 3/4;
    # chance: B-PER 1/4*1/4 + O 3/4*2/4 + B-LOC 0 = 1/16 + 6/16 = 7/16
    assert pair_kappa(first, second) == pytest.approx((0.75 - 7 / 16) / (1 - 7 / 16))
    with pytest.raises(ValueError, match="item 1: 2 words against 3"):
        pair_kappa(first, [("O", "O"), ("O", "O", "O")])


def test_alpha_by_hand_for_two_annotators():
    # coincidences: o_aa = 2, o_ab = o_ba = 1, o_bb = 4; n = 8, n_a = 3, n_b = 5
    # alpha = 1 - (n - 1) (o_ab + o_ba) / (2 n_a n_b) = 1 - 7 * 2 / 30
    assert alpha([["a", "a", "b", "b"], ["a", "b", "b", "b"]]) == pytest.approx(1 - 14 / 30)


def test_alpha_on_krippendorffs_worked_example_with_missing_ratings():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal: 0.743
    rows = ["1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3",
            ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."]  # fmt: skip
    ratings = [[None if cell == "." else cell for cell in row.split()] for row in rows]
    assert alpha(ratings) == pytest.approx(0.743, abs=5e-4)


def test_alpha_is_undefined_without_pairs_or_variation():
    assert math.isnan(alpha([["a", None], [None, "b"]]))
    assert math.isnan(alpha([["a", "a"], ["a", "a"]]))


def test_alpha_expands_tag_sequences_word_by_word():
    same = alpha([[("B-PER", "O"), ("O",)], [("B-PER", "O"), ("O",)]])
    assert same == pytest.approx(1.0)
    with pytest.raises(ValueError, match="different lengths"):
        alpha([[("O", "O")], [("O",)]])


def test_span_f1_counts_exact_spans_only():
    first = [("B-PER", "I-PER", "O", "B-LOC"), ("O", "O")]
    second = [("B-PER", "O", "O", "B-LOC"), ("B-ORG", "O")]
    assert spans(first[0]) == {(0, 1, "PER"), (3, 3, "LOC")}
    # shared: LOC in sentence 0; first has 2 spans, second 3 -> 2 * 1 / 5
    assert span_f1(first, second) == pytest.approx(0.4)
    assert span_f1([("O",)], [("O",)]) == 1.0
    assert span_f1(second, first) == span_f1(first, second)


def test_kappa_interval_equals_a_bootstrap_of_pair_kappa_over_the_same_draws() -> None:
    first = ["a", "b", "a", "c", "b", "a", "c", "c", "a", "b"]
    second = ["a", "b", "b", "c", "b", "a", "a", "c", "a", "c"]
    draws = np.random.default_rng(3).integers(10, size=(200, 10))
    slow = [pair_kappa([first[i] for i in row], [second[i] for i in row]) for row in draws]
    assert kappa_interval(first, second, resamples=200, seed=3) == pytest.approx(
        tuple(np.percentile(slow, [2.5, 97.5])))  # fmt: skip
    low, high = kappa_interval(first, second)
    assert low < pair_kappa(first, second) < high
    assert kappa_interval(first, first) == (1.0, 1.0)


def test_kappa_interval_keeps_a_sentences_words_together() -> None:
    first = [("B-PER", "O", "O"), ("O", "B-LOC"), ("B-PER", "I-PER", "O", "O")]
    second = [("B-PER", "O", "B-LOC"), ("O", "B-LOC"), ("O", "O", "O", "O")]
    draws = np.random.default_rng(0).integers(3, size=(100, 3))
    slow = [pair_kappa([first[i] for i in row], [second[i] for i in row]) for row in draws]
    assert kappa_interval(first, second, resamples=100) == pytest.approx(
        tuple(np.percentile(slow, [2.5, 97.5])))  # fmt: skip
