"""Predicted classes of a pool and the class-balanced pick order."""

import numpy as np
import pytest

from demux_core.selection.class_balance import (
    group_round_robin,
    prediction_class,
    prediction_classes,
)


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [
        ("sports", "sports"),
        (("O", "B-PER", "I-PER", "O", "B-LOC"), "LOC+PER"),
        (("B-LOC", "I-LOC"), "LOC"),
        (("O", "O"), "O"),
        ((), "O"),
        (("NOUN", "VERB", "NOUN"), "NOUN+VERB"),
        ((12, "Abuja"), "answer"),
        ((np.int64(0), "x"), "answer"),
        ("", "no answer"),
    ],
)
def test_prediction_class(prediction, expected):
    assert prediction_class(prediction) == expected


def test_prediction_classes_is_a_string_array():
    classes = prediction_classes(["a", ("B-ORG",), ("O",)])
    assert classes.shape == (3,) and classes.tolist() == ["a", "ORG", "O"]
    assert prediction_classes([]).shape == (0,)


def test_classes_take_turns_lowest_margin_first():
    margins = np.array([0.1, 0.2, 0.3, 0.05, 0.9, 0.4, 0.6])
    classes = np.array(["a", "a", "a", "b", "b", "c", "a"])
    order = group_round_robin(np.array([6, 0, 1, 2, 3, 4, 5]), margins, classes)
    # turn 0: b 0.05 (3), a 0.1 (0), c 0.4 (5); turn 1: a 0.2 (1), b 0.9 (4);
    # turn 2: a 0.3 (2); turn 3: a 0.6 (6)
    assert order.tolist() == [3, 0, 5, 1, 4, 2, 6]
    assert order.dtype == np.int64


def test_ties_are_broken_by_index_and_subsets_are_respected():
    margins = np.zeros(6)
    classes = np.array(["x", "y", "x", "y", "x", "y"])
    assert group_round_robin(np.array([4, 2, 5, 1]), margins, classes).tolist() == [1, 2, 4, 5]
    assert group_round_robin(np.array([], dtype=np.int64), margins, classes).size == 0


@pytest.mark.parametrize("seed", range(5))
def test_no_class_exceeds_its_share_while_others_remain(seed):
    rng = np.random.default_rng(seed)
    n = 200
    margins = rng.random(n)
    classes = rng.choice(["a", "b", "c", "d"], size=n, p=[0.7, 0.2, 0.07, 0.03])
    candidates = rng.choice(n, size=120, replace=False)
    order = group_round_robin(candidates, margins, classes)
    assert sorted(order.tolist()) == sorted(candidates.tolist())
    available = {c: int((classes[candidates] == c).sum()) for c in "abcd"}
    for budget in (4, 10, 40):
        counts = {c: int((classes[order[:budget]] == c).sum()) for c in "abcd"}
        for name, count in counts.items():
            # a class exceeds ceil(budget / 4) only when another class has run out
            assert count <= -(-budget // 4) or any(
                counts[other] == available[other] for other in "abcd" if other != name
            )
    # within a class the order is by margin
    for name in "abcd":
        members = order[classes[order] == name]
        assert (np.diff(margins[members]) >= 0).all()
