"""Garbled text: UTF-8 bytes that were once decoded as GBK (or another CJK code page).

MasakhaNER 2.0's Hausa files carry it upstream: ``ƙ`` (UTF-8 ``C6 99``) became ``茩``, ``ɗ``
``蓷``, ``ɓ`` ``蓳``, ``ƴ`` ``拼``, so ``ƙasa`` reads ``茩asa``. A run of CJK ideographs inside
a sentence whose other letters are of another script is suspicious; it is garbled when
encoding the run back to the code page gives valid UTF-8 of letters outside CJK (the repair),
and lossy when the run holds U+FFFD (the bytes were lost upstream: no repair is possible).
A sentence written in a CJK script is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

CODE_PAGES = ("gbk", "gb18030", "big5", "shift_jis", "euc_kr")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3040-\u30ff"
_RUN = re.compile(f"[{_CJK}][{_CJK}\ufffd]*")
_IS_CJK = re.compile(f"[{_CJK}]")


@dataclass(frozen=True)
class Garbled:
    """One garbled run of characters in a text.

    Attributes
    ----------
    start, end : int -- the run's character offsets in the text
    text : str -- the run as stored
    repair : str or None -- what it was before the wrong decoding; None when lossy
    code_page : str or None -- the code page it was decoded with
    """

    start: int
    end: int
    text: str
    repair: str | None
    code_page: str | None


def _mostly_other_script(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    cjk = sum(1 for c in letters if _IS_CJK.match(c))
    return cjk * 2 < len(letters)


def _undo(run: str) -> tuple[str | None, str | None]:
    if "\ufffd" in run:
        return None, None
    for code_page in CODE_PAGES:
        try:
            fixed = run.encode(code_page).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed and not _IS_CJK.search(fixed) and all(_printable(c) for c in fixed):
            return fixed, code_page
    return None, None


def _printable(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMNPSZ"


def _runs(text: str) -> list[Garbled]:
    found = []
    for match in _RUN.finditer(text):
        repair, code_page = _undo(match.group())
        found.append(Garbled(match.start(), match.end(), match.group(), repair, code_page))
    return found


def find_garbled(text: str) -> list[Garbled]:
    """The garbled runs of ``text`` (empty for clean text and for CJK-script text)."""
    if not _IS_CJK.search(text) or not _mostly_other_script(text):
        return []
    return _runs(text)


def repair_text(text: str) -> str:
    """``text`` with every repairable garbled run replaced (lossy runs stay as they are)."""
    return _replace(text, find_garbled(text))


def _replace(text: str, runs: list[Garbled]) -> str:
    parts, last = [], 0
    for garbled in runs:
        if garbled.repair is not None:
            parts += [text[last : garbled.start], garbled.repair]
            last = garbled.end
    return "".join(parts) + text[last:]


def repair_words(words: Iterable[str]) -> tuple[str, ...]:
    """Word by word (the runs are looked for in the whole sentence, as written)."""
    words = tuple(words)
    sentence = " ".join(words)
    if not find_garbled(sentence):
        return words
    return tuple(_replace(word, _runs(word)) for word in words)
