"""Round trips: what each writer writes reads back as equal examples."""

from __future__ import annotations

import pytest

from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.data.readers import (
    read_examples,
    write_conll,
    write_csv,
    write_hf_disk,
    write_jsonl,
)
from demux_core.errors import DemuxError

TOKENS = [
    TokenExample("a-1", "amh", ("አበበ", "በሶ", "በላ"), ("B-PER", "I-PER", "O")),
    TokenExample("x_2", "mya", ("မြန်မာ", "#"), ("B-LOC", "O")),
]
UNLABELED_TOKENS = [TokenExample("u1", "hau", ("Musa", "ya"), None)]
SEQUENCES = [
    SequenceExample("431", "arb_Arab", 'قال "مرحبا", ثم\nغادر', None, "travel"),
    SequenceExample("432", "amh_Ethi", "ቱርክ", None, None),
]
PAIRS = [SequenceExample("p1", "eng", "a, b", "c\td", "entailment")]
QA = [
    QAExample("q1", "arb", "من؟", "قال أحمد", 4, "أحمد"),
    QAExample("q2", "mya", "?", "x", -1, ""),
    QAExample("q3", "mya", "?", "y", None, None),
]


@pytest.mark.parametrize("examples", [TOKENS, UNLABELED_TOKENS])
def test_conll_round_trip(tmp_path, examples):
    path = write_conll(examples, tmp_path / "out" / "data.conll")
    assert read_examples(path) == examples


@pytest.mark.parametrize("examples", [TOKENS, SEQUENCES + PAIRS + QA + UNLABELED_TOKENS])
def test_jsonl_round_trip(tmp_path, examples):
    assert read_examples(write_jsonl(examples, tmp_path / "data.jsonl")) == examples


@pytest.mark.parametrize("examples", [SEQUENCES, PAIRS, QA])
def test_csv_round_trip(tmp_path, examples):
    assert read_examples(write_csv(examples, tmp_path / "data.csv")) == examples


@pytest.mark.parametrize("examples", [TOKENS, UNLABELED_TOKENS, SEQUENCES, PAIRS, QA])
def test_hf_disk_round_trip(tmp_path, examples):
    assert read_examples(write_hf_disk(examples, tmp_path / "ds")) == examples


def test_writers_refuse_what_their_format_cannot_hold(tmp_path):
    with pytest.raises(DemuxError, match="whitespace"):
        write_conll([TokenExample("a", "hau", ("two words",), ("O",))], tmp_path / "a.conll")
    with pytest.raises(DemuxError, match="labeled and unlabeled"):
        write_conll(TOKENS + UNLABELED_TOKENS, tmp_path / "b.conll")
    with pytest.raises(DemuxError, match="one kind"):
        write_csv(SEQUENCES + PAIRS, tmp_path / "c.csv")
    with pytest.raises(DemuxError, match="one kind"):
        write_csv(TOKENS, tmp_path / "d.csv")
    with pytest.raises(DemuxError, match="no examples"):
        write_jsonl([], tmp_path / "e.jsonl")


def test_csv_cells_that_spreadsheets_would_run_are_neutralised(tmp_path) -> None:
    from demux_core.data.examples import SequenceExample

    texts = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "plain = text"]
    examples = [SequenceExample(f"e{i}", "eng", text, None, "a") for i, text in enumerate(texts)]
    read = read_examples(write_csv(examples, tmp_path / "out.csv"))
    assert [example.text for example in read] == ["'" + t for t in texts[:4]] + [texts[4]]
