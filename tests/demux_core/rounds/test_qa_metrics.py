import pytest

from demux_core.rounds.qa_metrics import normalize_answer, qa_exact_match, qa_token_f1


def test_normalisation_keeps_non_ascii_and_drops_unicode_punctuation():
    assert normalize_answer("  أحمد، ") == "أحمد"
    assert normalize_answer("The Cat!") == "the cat"
    assert normalize_answer("ｆｕｌｌ　ｗｉｄｔｈ") == "full width"  # NFKC


def test_exact_match_compares_normalised_answers():
    assert qa_exact_match("Addis Ababa.", "addis ababa") == 1.0
    assert qa_exact_match("Addis", "addis ababa") == 0.0
    assert qa_exact_match("", "") == 1.0


def test_token_f1_counts_overlapping_tokens_once_each():
    assert qa_token_f1("ሰላም ለዓለም", "ሰላም") == pytest.approx(2 / 3)
    assert qa_token_f1("a a b", "a b b") == pytest.approx(2 / 3)
    assert qa_token_f1("x", "") == 0.0
    assert qa_token_f1("red", "blue") == 0.0
