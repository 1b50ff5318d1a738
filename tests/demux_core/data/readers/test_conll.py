"""CoNLL NER reading: structure, BIO policy, ids, languages and every error with its line."""

from __future__ import annotations

import pytest

from demux_core.data.examples import TokenExample
from demux_core.data.readers import read_examples
from demux_core.errors import DataFormatError

GOOD = "Musa B-PER\nya O\nje O\nKano B-LOC\n\nአበበ B-PER\nበሶ I-PER\nበላ O\n"


def test_reads_sentences_with_default_ids_and_folder_language(write_file):
    path = write_file("train.txt", GOOD)
    examples = read_examples(path)
    assert examples == [
        TokenExample("train-1", "hau", ("Musa", "ya", "je", "Kano"), ("B-PER", "O", "O", "B-LOC")),
        TokenExample("train-2", "hau", ("አበበ", "በሶ", "በላ"), ("B-PER", "I-PER", "O")),
    ]


def test_language_argument_wins_and_crlf_blank_lines_are_tolerated(write_file):
    path = write_file(
        "dev.conll", "\n\nMusa B-PER\r\nya O\r\n\r\n\r\nKano B-LOC\r\n", folder="xx-data"
    )
    examples = read_examples(path, language="hau")
    assert [e.tokens for e in examples] == [("Musa", "ya"), ("Kano",)]
    assert {e.language for e in examples} == {"hau"}


def test_no_language_anywhere_is_an_error(write_file):
    path = write_file("train.txt", GOOD, folder="my-data")
    with pytest.raises(DataFormatError, match=r"train\.txt:1: no language"):
        read_examples(path)


def test_single_column_file_is_unlabeled(write_file):
    examples = read_examples(write_file("pool.txt", "Musa\nya\n\nKano\n"))
    assert [e.tags for e in examples] == [None, None]


def test_orphan_inside_tag_is_repaired_by_default(write_file):
    path = write_file("t.txt", "Musa I-PER\nya O\nje I-LOC\nKano I-LOC\nDaura I-PER\n")
    assert read_examples(path)[0].tags == ("B-PER", "O", "B-LOC", "I-LOC", "B-PER")


def test_orphan_inside_tag_is_an_error_in_strict_mode(write_file):
    path = write_file("t.txt", "Musa B-PER\nya O\nje I-LOC\n")
    with pytest.raises(DataFormatError, match=r"t\.txt:3: tag 'I-LOC' continues no entity"):
        read_examples(path, tag_scheme="bio-strict")


@pytest.mark.parametrize("bad_tag", ["X-PER", "B-", "E-LOC", "PER", "b-PER"])
def test_tag_outside_bio_syntax_names_file_and_line(write_file, bad_tag):
    path = write_file("t.txt", f"Musa B-PER\n\nya O\nje {bad_tag}\n")
    with pytest.raises(DataFormatError, match=rf"t\.txt:4: tag '{bad_tag}' is outside the BIO"):
        read_examples(path)


def test_tag_scheme_any_accepts_upos(write_file):
    path = write_file("pos.txt", "Musa PROPN\nya VERB\n")
    assert read_examples(path, tag_scheme="any")[0].tags == ("PROPN", "VERB")


def test_wrong_number_of_fields_names_the_line(write_file):
    path = write_file("t.txt", "Musa B-PER\nya O extra\n")
    with pytest.raises(DataFormatError, match=r"t\.txt:2: expected 2 .*found 3"):
        read_examples(path)


def test_missing_tag_is_an_error(write_file):
    with pytest.raises(DataFormatError, match=r"t\.txt:3: expected 2"):
        read_examples(write_file("t.txt", "Musa B-PER\n\nya\n"))


def test_empty_token_line_is_dropped(write_file):
    # MasakhaNER 2.0 xho/train.txt has lines " O" (an empty token).
    examples = read_examples(write_file("t.txt", "Musa B-PER\n O\nya O\n"))
    assert examples[0].tokens == ("Musa", "ya")


def test_hash_token_is_a_token_and_id_comments_are_honoured(write_file):
    text = "# id = s-7\n# language = amh\nአበበ B-PER\n\n# O\nya O\n"
    examples = read_examples(write_file("t.txt", text))
    assert examples[0] == TokenExample("s-7", "amh", ("አበበ",), ("B-PER",))
    assert examples[1] == TokenExample("t-2", "hau", ("#", "ya"), ("O", "O"))


def test_duplicate_ids_name_both_lines(write_file):
    text = "# id = a\nMusa O\n\n# id = a\nya O\n"
    with pytest.raises(
        DataFormatError, match=r"t\.txt:4: duplicate id 'a' \(first used on line 1\)"
    ):
        read_examples(write_file("t.txt", text))


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_is_an_error(write_file, content):
    with pytest.raises(DataFormatError, match=r"t\.txt:1: file is empty"):
        read_examples(write_file("t.txt", content))


def test_non_utf8_names_line_and_byte_offset(write_file):
    path = write_file("t.txt", b"Musa O\nya O\nj\xe9 O\n")
    with pytest.raises(
        DataFormatError, match=r"t\.txt:3: not UTF-8: undecodable byte 0xe9 at byte offset 13"
    ):
        read_examples(path)


def test_label_schema_accepts_types_or_full_tags_and_names_the_sentence_line(write_file):
    path = write_file("t.txt", GOOD)
    assert len(read_examples(path, labels=["PER", "LOC"])) == 2
    assert len(read_examples(path, labels=["B-PER", "I-PER", "B-LOC"])) == 2
    with pytest.raises(DataFormatError, match=r"t\.txt:1: tag 'B-LOC' is not in the label schema"):
        read_examples(path, labels=["PER"])


def test_utf8_bom_is_ignored(write_file):
    path = write_file("t.txt", "\ufeffMusa B-PER\n".encode())
    assert read_examples(path)[0].tokens == ("Musa",)


def test_wrong_task_is_an_error(write_file):
    with pytest.raises(
        DataFormatError, match=r"t\.txt:1: row is a token example but task='sequence'"
    ):
        read_examples(write_file("t.txt", GOOD), task="sequence")
