"""JSONL reading: token, sequence, pair and QA rows, and errors with lines."""

from __future__ import annotations

import json

import pytest

from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.data.readers import read_examples
from demux_core.errors import DataFormatError


def _jsonl(*rows: object) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


def test_reads_every_shape(write_file):
    text = _jsonl(
        {"tokens": ["አበበ", "በላ"], "tags": ["B-PER", "O"]},
        {"id": "s", "text": "مرحبا", "label": "greeting", "language": "arb"},
        {"text": "a", "text_pair": "b", "label": 1},
        {
            "question": "ဘယ်သူ",
            "context": "မောင်မောင် ပါ",
            "answers": {"text": ["မောင်မောင်"], "answer_start": [0]},
        },
        {"question": "q", "context": "c", "answers": {"text": [], "answer_start": []}},
    )
    examples = read_examples(write_file("mix.jsonl", "\n" + text, folder="amh"))
    assert examples == [
        TokenExample("mix-1", "amh", ("አበበ", "በላ"), ("B-PER", "O")),
        SequenceExample("s", "arb", "مرحبا", None, "greeting"),
        SequenceExample("mix-3", "amh", "a", "b", "1"),
        QAExample("mix-4", "amh", "ဘယ်သူ", "မောင်မောင် ပါ", 0, "မောင်မောင်"),
        QAExample("mix-5", "amh", "q", "c", -1, ""),
    ]


def test_bad_json_names_the_line(write_file):
    path = write_file("d.jsonl", '{"text": "a"}\n{"text": \n')
    with pytest.raises(DataFormatError, match=r"d\.jsonl:2: bad JSON"):
        read_examples(path)


def test_non_object_line_is_an_error(write_file):
    with pytest.raises(DataFormatError, match=r"d\.jsonl:1: expected a JSON object, got list"):
        read_examples(write_file("d.jsonl", "[1, 2]\n"))


def test_tokens_tags_length_mismatch_names_the_line(write_file):
    text = _jsonl({"tokens": ["a"], "tags": ["O"]}, {"tokens": ["a", "b"], "tags": ["O"]})
    with pytest.raises(DataFormatError, match=r"d\.jsonl:2: 2 tokens but 1 tags"):
        read_examples(write_file("d.jsonl", text))


def test_bio_checking_is_opt_in_for_jsonl(write_file):
    path = write_file("d.jsonl", _jsonl({"tokens": ["a", "b"], "tags": ["I-PER", "X-LOC"]}))
    assert read_examples(path)[0].tags == ("I-PER", "X-LOC")
    with pytest.raises(DataFormatError, match=r"d\.jsonl:1: tag 'X-LOC' is outside the BIO"):
        read_examples(path, tag_scheme="bio")


def test_wrong_value_types_are_errors(write_file):
    with pytest.raises(
        DataFormatError, match=r"d\.jsonl:1: column 'tokens' must be a list of strings"
    ):
        read_examples(write_file("d.jsonl", _jsonl({"tokens": "a b"})))
    with pytest.raises(DataFormatError, match=r"e\.jsonl:1: column 'text' must be a string"):
        read_examples(write_file("e.jsonl", _jsonl({"text": 3})))


def test_duplicate_ids_name_both_lines(write_file):
    text = _jsonl({"id": 1, "text": "a"}, {"id": 2, "text": "b"}, {"id": "1", "text": "c"})
    with pytest.raises(
        DataFormatError, match=r"d\.jsonl:3: duplicate id '1' \(first used on line 1\)"
    ):
        read_examples(write_file("d.jsonl", text))


def test_unknown_extension_and_missing_file(write_file, tmp_path):
    with pytest.raises(DataFormatError, match="cannot tell the format"):
        read_examples(write_file("d.json", "{}"))
    with pytest.raises(FileNotFoundError):
        read_examples(tmp_path / "nope.jsonl")
