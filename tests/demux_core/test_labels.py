import pytest

from demux_core.errors import DemuxError
from demux_core.examples import QAExample, SequenceExample, TokenExample
from demux_core.labels import gold_labels, with_label


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
