import numpy as np
import pytest

from demux_core.data.examples import SequenceExample, TaskType, TokenExample
from demux_lab.frozen_head.features import FrozenFeatures
from demux_lab.frozen_head.head_scoring import NO_WORD_MARGIN, labeled_rows, score_features
from demux_lab.frozen_head.head_training import LinearHead

LABELS = ("B-PER", "O")


def _token_features():
    # example 0: two words; example 1: three words, the last cut by max_length
    rows = np.array([[3.0, 0.0], [0.1, 0.0], [0.0, 2.0], [0.5, 0.4], [0.0, 0.0]], np.float32)
    return FrozenFeatures(
        TaskType.TOKEN,
        embeddings=np.zeros((2, 2), np.float32),
        head_inputs=rows,
        word_offsets=np.array([0, 2, 5]),
        word_valid=np.array([True, True, True, True, False]),
        model_version="enc",
    )


IDENTITY = LinearHead(np.eye(2, dtype=np.float32), np.zeros(2, np.float32), "head-x")


@pytest.mark.parametrize("aggregation", ["min", "mean", "max"])
def test_token_margins_aggregate_over_scored_words_only(aggregation):
    features = _token_features()
    scores = score_features(IDENTITY, features, LABELS, aggregation)
    per_word = np.abs(features.head_inputs[:, 0] - features.head_inputs[:, 1])
    reduce = {"min": np.min, "mean": np.mean, "max": np.max}[aggregation]
    assert scores.uncertainty[0] == pytest.approx(reduce(per_word[0:2]))
    assert scores.uncertainty[1] == pytest.approx(reduce(per_word[2:4]))
    assert scores.model_version == "enc+head-x"


def test_token_predictions_fall_back_to_o_for_unscored_words():
    scores = score_features(IDENTITY, _token_features(), LABELS)
    assert scores.predictions == [("B-PER", "B-PER"), ("O", "B-PER", "O")]


def test_a_sentence_without_scored_words_is_never_most_uncertain():
    features = FrozenFeatures(
        TaskType.TOKEN,
        np.zeros((1, 2), np.float32),
        np.zeros((1, 2), np.float32),
        np.array([0, 1]),
        np.array([False]),
        "enc",
    )
    assert score_features(IDENTITY, features, LABELS).uncertainty[0] == NO_WORD_MARGIN


def test_sequence_scores_and_labeled_rows():
    features = FrozenFeatures(
        TaskType.SEQUENCE,
        np.zeros((2, 2), np.float32),
        np.array([[1.0, 0.0], [0.0, 1.0]], np.float32),
        np.arange(3),
        np.ones(2, bool),
        "enc",
    )
    scores = score_features(IDENTITY, features, ("a", "b"))
    assert scores.predictions == ["a", "b"]
    examples = [
        SequenceExample("x", "hau", "t", label="b"),
        SequenceExample("y", "hau", "u", label="a"),
    ]
    rows, targets = labeled_rows(examples, features, [1, 0], {"a": 0, "b": 1})
    assert rows.tolist() == [1, 0] and targets.tolist() == [0, 1]


def test_labeled_token_rows_skip_unscored_words_and_name_bad_labels():
    features = _token_features()
    examples = [
        TokenExample("s0", "twi", ("Kofi", "ba"), tags=("B-PER", "O")),
        TokenExample("s1", "twi", ("a", "b", "c"), tags=("O", "O", "B-PER")),
    ]
    rows, targets = labeled_rows(examples, features, [1, 0], {"B-PER": 0, "O": 1})
    assert rows.tolist() == [2, 3, 0, 1] and targets.tolist() == [1, 1, 0, 1]
    bad = [TokenExample("s9", "twi", ("a", "b"), tags=("B-XYZ", "O"))]
    with pytest.raises(ValueError, match="s9.*'B-XYZ'"):
        labeled_rows(bad, features, [0], {"B-PER": 0, "O": 1})
    with pytest.raises(ValueError, match="s7 has no label"):
        labeled_rows([TokenExample("s7", "twi", ("a", "b"))], features, [0], {"O": 1})
