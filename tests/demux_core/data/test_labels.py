import pytest

from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.data.labels import NO_ENTITY, gold_labels, label_counts, with_label
from demux_core.errors import DemuxError


def test_with_label_for_each_task():
    token = with_label(TokenExample("a", "hau", ("Aminu", "ya")), ["B-PER", "O"])
    assert token.tags == ("B-PER", "O")
    with pytest.raises(DemuxError, match="2 tags for 3 tokens"):
        with_label(TokenExample("b", "hau", ("x", "y", "z")), ["O", "O"])
    assert with_label(SequenceExample("c", "en", "t"), "sport").label == "sport"
    qa = QAExample("d", "sw", "q?", "context here")
    assert with_label(qa, (8, "here")).answer_text == "here"
    assert with_label(qa, "").answer_start == -1
    assert gold_labels([with_label(qa, (8, "here")), with_label(qa, "")]) == ["here", ""]


def test_label_counts_per_task():
    classes = [SequenceExample(str(i), "en", "t", label=c) for i, c in enumerate("abab")]
    classes.append(SequenceExample("u", "en", "unlabeled"))
    assert label_counts(classes) == {"a": 2, "b": 2}
    ner = [
        TokenExample("1", "hau", ("A", "B", "C"), ("B-PER", "I-PER", "B-LOC")),
        TokenExample("2", "hau", ("A", "B"), ("B-PER", "B-PER")),  # one sentence, counted once
        TokenExample("3", "hau", ("A",), ("O",)),
        TokenExample("4", "hau", ("A",), ("I-ORG",)),  # a span may start with I-
        TokenExample("5", "hau", ("A",)),  # unlabeled
    ]
    assert label_counts(ner) == {NO_ENTITY: 1, "LOC": 1, "ORG": 1, "PER": 2}
    pos = [TokenExample("1", "yo", ("a", "b", "c"), ("NOUN", "VERB", "NOUN"))]
    assert label_counts(pos, tag_scheme="pos") == {"NOUN": 2, "VERB": 1}
    qa = QAExample("q", "sw", "q?", "context here")
    answers = [with_label(qa, (8, "here")), with_label(qa, ""), qa]
    assert label_counts(answers) == {"answer": 1, "no answer": 1}
