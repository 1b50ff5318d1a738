import pytest

from service.bio import clear_span, entity_types, is_bio_schema, repair_bio, set_span


def test_set_span_marks_first_token_b_and_rest_i():
    tags = ("O", "O", "O", "O")
    assert set_span(tags, 1, 3, "PER") == ("O", "B-PER", "I-PER", "O")


def test_set_span_restarts_entity_that_continued_after_the_span():
    tags = ("B-ORG", "I-ORG", "I-ORG", "I-ORG")
    assert set_span(tags, 0, 2, "LOC") == ("B-LOC", "I-LOC", "B-ORG", "I-ORG")


def test_set_span_inside_an_entity_splits_it():
    tags = ("B-ORG", "I-ORG", "I-ORG")
    assert set_span(tags, 1, 2, "PER") == ("B-ORG", "B-PER", "B-ORG")


def test_clear_span_sets_o_and_repairs_following_i():
    tags = ("B-PER", "I-PER", "I-PER", "O")
    assert clear_span(tags, 0, 1) == ("O", "B-PER", "I-PER", "O")


def test_set_span_with_o_clears():
    assert set_span(("B-PER", "I-PER"), 0, 2, "O") == ("O", "O")


@pytest.mark.parametrize("start,end", [(-1, 1), (2, 2), (0, 5), (3, 1)])
def test_span_outside_sentence_is_rejected(start, end):
    with pytest.raises(ValueError, match="span"):
        set_span(("O", "O", "O"), start, end, "PER")


def test_repair_bio_fixes_orphan_and_type_change():
    assert repair_bio(["I-PER", "I-LOC", "O", "I-LOC"]) == ("B-PER", "B-LOC", "O", "B-LOC")


def test_repair_bio_leaves_pos_tags_alone():
    assert repair_bio(["NOUN", "VERB", "I"]) == ("NOUN", "VERB", "I")


def test_entity_types_in_schema_order():
    schema = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]
    assert entity_types(schema) == ["PER", "LOC", "DATE"]
    assert is_bio_schema(schema)
    assert entity_types(["NOUN", "VERB"]) == ["NOUN", "VERB"]
    assert not is_bio_schema(["NOUN", "VERB"])
