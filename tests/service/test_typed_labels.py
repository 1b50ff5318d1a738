"""Labels typed by hand: tags checked against the schema and repaired to valid BIO, answers
found in the context."""

from __future__ import annotations

import pytest

from service.typed_labels import NO_ANSWER, find_answer, parse_tags

SCHEMA = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")


def test_typed_tags_are_checked_and_repaired() -> None:
    assert parse_tags("I-PER O B-LOC", 3, SCHEMA) == ("B-PER", "O", "B-LOC")  # I- after O
    with pytest.raises(ValueError, match="expected 3 tags"):
        parse_tags("O O", 3, SCHEMA)
    with pytest.raises(ValueError, match=r"'B-ORG' \(token 2\)"):
        parse_tags("O B-ORG O", 3, SCHEMA)


def test_an_answer_must_be_copied_from_the_context() -> None:
    context = "She went to Kano."
    assert find_answer(context, " Kano ") == (12, "Kano")
    with pytest.raises(ValueError, match="copied exactly"):
        find_answer(context, "Lagos")
    with pytest.raises(ValueError, match="No answer"):
        find_answer(context, "  ")
    assert NO_ANSWER == (-1, "")
