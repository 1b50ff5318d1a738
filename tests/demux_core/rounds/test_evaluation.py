"""Metrics on hand-computed cases, per-language splits and bootstrap intervals."""

from __future__ import annotations

import json

import numpy as np
import pytest
from seqeval.metrics import f1_score

from demux_core.rounds.evaluation import bootstrap_ci, evaluate

# Gold: 3 entities (PER 0-1, LOC 3, ORG 0). Predicted: PER 0-1 right, LOC 3 typed ORG,
# one spurious PER. So TP=1, FP=2, FN=2 -> P=1/3, R=1/3, F1=1/3.
NER_GOLD = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
NER_PRED = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-PER"]]


def test_ner_entity_scores_by_hand():
    metrics = evaluate("token", NER_GOLD, NER_PRED, languages=["hau", "amh"])
    assert metrics.values == pytest.approx({"precision": 1 / 3, "recall": 1 / 3, "f1": 1 / 3})
    assert metrics.main == pytest.approx(1 / 3)
    assert metrics.n == 2
    assert metrics.per_language["hau"] == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    )
    assert metrics.per_language["amh"] == pytest.approx(
        {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    )


def test_ner_matches_seqeval_default_mode_with_orphan_inside_tags():
    gold = [["I-PER", "I-PER", "O", "B-LOC", "I-LOC"], ["O", "I-ORG"]]
    pred = [["B-PER", "I-PER", "O", "B-LOC", "O"], ["O", "B-ORG"]]
    assert evaluate("token", gold, pred).main == pytest.approx(f1_score(gold, pred))


def test_pos_token_accuracy():
    metrics = evaluate(
        "token", [["NOUN", "VERB"], ["ADJ"]], [["NOUN", "NOUN"], ["ADJ"]], tag_scheme="pos"
    )
    assert metrics.main == pytest.approx(2 / 3)
    assert metrics.values == {"accuracy": pytest.approx(2 / 3)}


def test_classification_accuracy_and_macro_f1():
    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "b"]
    # a: P=1 R=1/2 F1=2/3; b: P=1/3 R=1 F1=1/2; c: F1=0 -> macro (2/3+1/2+0)/3 = 7/18
    metrics = evaluate("sequence", gold, pred, languages=["x", "x", "y", "y"])
    assert metrics.values == pytest.approx({"accuracy": 0.5, "macro_f1": 7 / 18})
    assert metrics.per_language["x"]["accuracy"] == pytest.approx(0.5)
    assert metrics.per_language["y"]["accuracy"] == pytest.approx(0.5)


def test_qa_exact_match_and_f1_keep_non_ascii():
    metrics = evaluate("qa", ["أحمد", "", "big red dog", ""], ["أحمد.", "", "red dog", "x"])
    # EM: 1, 1, 0, 0; F1: 1, 1, 0.8, 0
    assert metrics.values == pytest.approx({"exact_match": 0.5, "f1": 0.7})
    assert metrics.main == pytest.approx(0.7)


def test_metrics_to_dict_is_json():
    metrics = evaluate("pair", ["e", "n"], ["e", "e"], languages=["fr", "fr"])
    assert json.loads(json.dumps(metrics.to_dict()))["per_language"]["fr"]["accuracy"] == 0.5


def test_mismatched_inputs_are_errors():
    with pytest.raises(ValueError, match="2 gold but 1 predicted"):
        evaluate("sequence", ["a", "b"], ["a"])
    with pytest.raises(ValueError, match="example 0: 2 gold tags but 1 predicted"):
        evaluate("token", [["O", "O"]], [["O"]])


def test_bootstrap_is_seeded_and_brackets_the_point_estimate():
    rng = np.random.default_rng(0)
    gold = list(rng.choice(["a", "b", "c"], size=200))
    pred = [g if rng.random() < 0.7 else "a" for g in gold]
    point = evaluate("sequence", gold, pred).values
    first = bootstrap_ci(gold, pred, "sequence", n_resamples=300, seed=1)
    assert first == bootstrap_ci(gold, pred, "sequence", n_resamples=300, seed=1)
    for name, (low, high) in first.items():
        assert low <= point[name] <= high
        assert high - low < 0.3


def test_bootstrap_of_a_perfect_ner_model_is_degenerate():
    intervals = bootstrap_ci(NER_GOLD, NER_GOLD, "token", n_resamples=50)
    assert intervals["f1"] == (1.0, 1.0)


def test_bootstrap_ner_brackets_point():
    gold = NER_GOLD * 20 + [["B-LOC"]] * 20
    pred = NER_PRED * 20 + [["B-LOC"]] * 20
    point = evaluate("token", gold, pred).main
    low, high = bootstrap_ci(gold, pred, "token", n_resamples=200)["f1"]
    assert low < point < high


def test_resampled_main_matches_evaluate_and_pairs_resamples():
    import numpy as np

    from demux_core.rounds.evaluation import evaluate, resampled_main

    gold = [("B-PER", "O"), ("O", "B-LOC"), ("B-LOC", "I-LOC"), ("O", "O")]
    predicted = [("B-PER", "O"), ("O", "O"), ("B-LOC", "I-LOC"), ("B-PER", "O")]
    ones = np.ones((1, 4))
    assert (
        resampled_main(gold, predicted, "token", ones)[0] == evaluate("token", gold, predicted).main
    )
    weights = np.random.default_rng(0).multinomial(4, [0.25] * 4, size=50).astype(float)
    same = resampled_main(gold, predicted, "token", weights)
    assert same.shape == (50,)
    assert np.array_equal(same - resampled_main(gold, predicted, "token", weights), np.zeros(50))
    with pytest.raises(ValueError, match="shape"):
        resampled_main(gold, predicted, "token", np.ones((2, 3)))
