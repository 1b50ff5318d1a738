"""Garbled text (UTF-8 once decoded as GBK): found, located, repaired only when asked."""

from __future__ import annotations

import pytest

from demux_core.data.mojibake import find_garbled, repair_text, repair_words
from demux_core.data.readers import read_examples


@pytest.mark.parametrize(
    ("garbled", "clean"),
    [("茩asa", "ƙasa"), ("蓷an", "ɗan"), ("蓳ata", "ɓata"), ("拼an", "ƴan"), ("瞥an", "Ƴan")],
)
def test_the_hausa_letters_come_back(garbled, clean):
    sentence = f"Ya ce {garbled} ta yi kyau"
    (run,) = find_garbled(sentence)
    assert (run.repair, run.code_page) == (clean[0], "gbk")
    assert sentence[run.start : run.end] == garbled[0]
    assert repair_text(sentence) == f"Ya ce {clean} ta yi kyau"


def test_chinese_text_and_clean_text_are_left_alone():
    assert find_garbled("我爱北京天安门。今天天气很好") == []
    assert find_garbled("ƙasa ɗan ɓata") == []
    assert repair_text("我爱北京 hello") == "我爱北京 hello"


def test_lost_bytes_are_reported_without_a_repair():
    (run,) = find_garbled("Ya ce 鈥\ufffd ta")
    assert run.repair is None and run.text == "鈥\ufffd"
    assert repair_text("Ya ce 鈥\ufffd ta") == "Ya ce 鈥\ufffd ta"


def test_words_are_repaired_one_by_one_keeping_real_punctuation():
    words = ("Ya", "ce", "‘拼an", "拼", "kasuwa")
    assert repair_words(words) == ("Ya", "ce", "‘ƴan", "ƴ", "kasuwa")
    assert repair_words(("我", "爱", "北京")) == ("我", "爱", "北京")


def _conll(tmp_path):
    path = tmp_path / "hau" / "train.txt"
    path.parent.mkdir()
    path.write_text("Ya O\nce O\n\n茩asar B-LOC\nNijar I-LOC\nta O\n\nwa蓷anda O\nsuka O\n",
                    encoding="utf-8")  # fmt: skip
    return path


def test_reading_reports_file_and_line_and_keeps_the_text(tmp_path):
    from demux_core.data.readers.garbled import garbled_note

    found: list = []
    examples = read_examples(_conll(tmp_path), garbled=found)
    assert examples[1].tokens[0] == "茩asar"  # unchanged unless asked
    assert [(g.line, g.text, g.repair) for g in found] == [(4, "茩", "ƙ"), (8, "蓷", "ɗ")]
    assert found[0].path.endswith("hau/train.txt")
    note = garbled_note("hau/train.txt", found, repaired=False)
    assert "2 garbled run(s) of characters in 2 sentence(s)" in note
    assert "first at line 4: '茩' -> 'ƙ'" in note and "Repair garbled text" in note


def test_reading_repairs_when_asked(tmp_path):
    examples = read_examples(_conll(tmp_path), repair_garbled=True)
    assert examples[1].tokens == ("ƙasar", "Nijar", "ta")
    assert examples[2].tokens == ("waɗanda", "suka")
    assert examples[1].tags == ("B-LOC", "I-LOC", "O")


@pytest.mark.shared_data
def test_the_published_hausa_file_is_found_and_repaired(shared_data):
    from demux_core.data.readers import read_masakhaner

    found: list = []
    repaired = read_masakhaner("hau", "train", shared_data, garbled=found, repair_garbled=True)
    fixable = [g for g in found if g.repair is not None]
    assert len(fixable) > 1000 and len(found) - len(fixable) < 10
    words = {w for e in repaired for w in e.tokens}
    assert {"ƙasar", "ɗan", "ƴan"} <= words
    left = [w for w in words if any("\u4e00" <= c <= "\u9fff" for c in w)]
    assert len(left) < 10  # only the runs whose bytes were lost upstream
    clean: list = []
    read_masakhaner("ibo", "train", shared_data, garbled=clean)
    assert clean == []
