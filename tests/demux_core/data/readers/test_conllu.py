"""CoNLL-U reading: UPOS, comments, multiword ranges and empty nodes."""

from __future__ import annotations

import pytest

from demux_core.data.readers import read_examples
from demux_core.errors import DataFormatError


def _word(index: str, form: str, upos: str) -> str:
    return "\t".join([index, form, "_", upos, "_", "_", "0", "root", "_", "_"])


def test_reads_upos_skipping_comments_ranges_and_empty_nodes(write_file):
    text = "\n".join(
        [
            "# sent_id = ar-1",
            "# text = كتب الولد",
            "1-2\tكتبه\t_\t_\t_\t_\t_\t_\t_\t_",
            _word("1", "كتب", "VERB"),
            _word("2", "ه", "PRON"),
            _word("2.1", "x", "_"),
            _word("3", "الولد", "NOUN"),
            "",
            _word("1", "မြန်မာ", "PROPN"),
            "",
        ]
    )
    examples = read_examples(write_file("ud.conllu", text, folder="arb"))
    assert examples[0].id == "ar-1"
    assert examples[0].tokens == ("كتب", "ه", "الولد")
    assert examples[0].tags == ("VERB", "PRON", "NOUN")
    assert (examples[1].id, examples[1].language, examples[1].tokens) == ("ud-2", "arb", ("မြန်မာ",))


def test_all_underscore_upos_is_unlabeled(write_file):
    examples = read_examples(write_file("ud.conllu", _word("1", "a", "_") + "\n"))
    assert examples[0].tags is None


def test_wrong_field_count_names_the_line(write_file):
    text = _word("1", "a", "NOUN") + "\n2\tb\tNOUN\n"
    with pytest.raises(
        DataFormatError, match=r"ud\.conllu:2: expected 10 tab-separated fields, found 3"
    ):
        read_examples(write_file("ud.conllu", text))


def test_partial_upos_is_an_error(write_file):
    text = "# sent_id = s\n" + _word("1", "a", "NOUN") + "\n" + _word("2", "b", "_") + "\n"
    with pytest.raises(
        DataFormatError, match=r"ud\.conllu:1: sentence has some words without UPOS"
    ):
        read_examples(write_file("ud.conllu", text))
