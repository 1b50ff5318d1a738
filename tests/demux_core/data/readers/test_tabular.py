"""TSV/CSV reading: column detection and options, quoting, labels and errors."""

from __future__ import annotations

import pytest

from demux_core.data.examples import QAExample, SequenceExample
from demux_core.data.readers import read_examples
from demux_core.errors import DataFormatError

SIB = "index_id\tcategory\ttext\n431\tgeography\tቱርክ በሶስት ጎኖች\n403\tscience/technology\tမြန်မာ စာ\n"


def test_sib_style_tsv_uses_index_id_category_and_folder_language(write_file):
    examples = read_examples(write_file("train.tsv", SIB, folder="amh_Ethi"))
    assert examples == [
        SequenceExample("431", "amh_Ethi", "ቱርክ በሶስት ጎኖች", None, "geography"),
        SequenceExample("403", "amh_Ethi", "မြန်မာ စာ", None, "science/technology"),
    ]


def test_csv_quoting_pairs_language_column_and_default_ids(write_file):
    text = 'premise,hypothesis,label,lang\n"He said ""hi"", then left",قال مرحبا,entailment,arb\n"line\nbreak",b,neutral,eng\n'
    examples = read_examples(write_file("xnli.csv", text))
    assert examples[0] == SequenceExample(
        "xnli-1", "arb", 'He said "hi", then left', "قال مرحبا", "entailment"
    )
    assert examples[1].text == "line\nbreak"
    assert examples[1].id == "xnli-2"


def test_explicit_column_names(write_file):
    text = "sid\tsent\ttopic\n7\tsalam\thealth\n"
    examples = read_examples(
        write_file("d.tsv", text), text_column="sent", label_column="topic", id_column="sid"
    )
    assert examples == [SequenceExample("7", "hau", "salam", None, "health")]


def test_explicit_missing_column_is_an_error(write_file):
    with pytest.raises(DataFormatError, match=r"train\.tsv:2: missing column 'sentence'"):
        read_examples(write_file("train.tsv", SIB), text_column="sentence")


def test_unknown_option_is_a_type_error(write_file):
    with pytest.raises(TypeError, match="unknown reader option"):
        read_examples(write_file("train.tsv", SIB), txt_column="text")


def test_no_text_column_is_an_error(write_file):
    with pytest.raises(DataFormatError, match=r"d\.tsv:2: no text column"):
        read_examples(write_file("d.tsv", "a\tb\n1\t2\n"))


def test_wrong_field_count_names_the_line(write_file):
    text = SIB + "9\thealth\n"
    with pytest.raises(
        DataFormatError, match=r"train\.tsv:4: expected 3 fields like the header, found 2"
    ):
        read_examples(write_file("train.tsv", text))


def test_duplicate_ids_name_both_lines(write_file):
    text = SIB + "431\ttravel\tagain\n"
    with pytest.raises(
        DataFormatError, match=r"train\.tsv:4: duplicate id '431' \(first used on line 2\)"
    ):
        read_examples(write_file("train.tsv", text))


def test_label_outside_schema_names_the_line(write_file):
    path = write_file("train.tsv", SIB)
    with pytest.raises(
        DataFormatError, match=r"train\.tsv:3: label 'science/technology' is not in"
    ):
        read_examples(path, labels=["geography", "travel"])


def test_empty_label_cell_means_unlabeled(write_file):
    examples = read_examples(write_file("d.tsv", "text\tlabel\nsalam\t\n"))
    assert examples[0].label is None


def test_header_only_and_empty_files_are_errors(write_file):
    with pytest.raises(DataFormatError, match=r"d\.tsv:2: file has a header but no data rows"):
        read_examples(write_file("d.tsv", "text\tlabel\n"))
    with pytest.raises(DataFormatError, match=r"e\.csv:1: file is empty"):
        read_examples(write_file("e.csv", ""))


def test_pair_task_without_pair_column_is_an_error(write_file):
    with pytest.raises(DataFormatError, match=r"train\.tsv:2: .*task='pair'.*text_pair"):
        read_examples(write_file("train.tsv", SIB), task="pair")


def test_qa_csv_checks_the_answer_offset(write_file):
    good = "question,context,answer_start,answer_text\nمن؟,قال أحمد,4,أحمد\nwho?,nobody,-1,\n"
    examples = read_examples(write_file("qa.csv", good, folder="arb"))
    assert examples[0] == QAExample("qa-1", "arb", "من؟", "قال أحمد", 4, "أحمد")
    assert (examples[1].answer_start, examples[1].answer_text) == (-1, "")
    bad = "question,context,answer_start,answer_text\nq,abc,0,b\n"
    with pytest.raises(DataFormatError, match=r"bad\.csv:2: answer_text 'b' does not occur"):
        read_examples(write_file("bad.csv", bad))


def test_non_utf8_tsv_names_the_line(write_file):
    path = write_file("d.tsv", b"text\tlabel\nok\tx\n" + b"\xff\xfe\tx\n")
    with pytest.raises(DataFormatError, match=r"d\.tsv:3: not UTF-8.*byte offset 16"):
        read_examples(path)


def test_a_field_over_the_size_limit_names_the_limit(tmp_path) -> None:
    import pytest

    from demux_core.errors import DataFormatError

    path = tmp_path / "big.tsv"
    path.write_text("text\tlabel\nok\ta\n" + "x" * 200_000 + "\ta\n", encoding="utf-8")
    with pytest.raises(
        DataFormatError, match=r"big.tsv:3: a field is longer than the limit of 128 KiB"
    ):
        read_examples(path, language="eng")
