"""Finding (and, when asked, repairing) garbled text while a file is read.

:func:`demux_core.data.readers.read_examples` hands every example to :func:`check_garbled`;
what it finds (file, line, the run and its repair) goes to the caller's list, and the text is
changed only with ``repair=True``. QA examples are reported but never changed: a repair may
change the context's length and so move the answer's offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.data.mojibake import find_garbled, repair_text, repair_words
from demux_core.data.readers.options import Located


@dataclass(frozen=True)
class GarbledText:
    """One garbled run found on reading.

    Attributes
    ----------
    path : str
    line : int -- where the example starts
    example_id : str
    text : str -- the run as stored in the file
    repair : str or None -- what the run was before it was decoded wrongly; None when the
        bytes were lost upstream
    """

    path: str
    line: int
    example_id: str
    text: str
    repair: str | None


def _texts(example) -> list[str]:
    if isinstance(example, TokenExample):
        return [" ".join(example.tokens)]
    if isinstance(example, SequenceExample):
        return [example.text, example.text_pair or ""]
    if isinstance(example, QAExample):
        return [example.question, example.context]
    return []


def _repaired(example):
    if isinstance(example, TokenExample):
        return replace(example, tokens=repair_words(example.tokens))
    if isinstance(example, SequenceExample):
        pair = None if example.text_pair is None else repair_text(example.text_pair)
        return replace(example, text=repair_text(example.text), text_pair=pair)
    return example


def check_garbled(
    path: Path, located: Sequence[Located], found: list | None, repair: bool
) -> list[Located]:
    """``located`` with garbled runs reported into ``found`` (when a list) and, with
    ``repair``, replaced by their repair (token and sentence examples)."""
    result: list[Located] = []
    for line, example in located:
        runs = [run for text in _texts(example) for run in find_garbled(text)]
        if runs and found is not None:
            found.extend(GarbledText(str(path), line, example.id, r.text, r.repair) for r in runs)
        if runs and repair:
            example = _repaired(example)
        result.append((line, example))
    return result


def garbled_note(name: str, found: Sequence[GarbledText], repaired: bool) -> str | None:
    """A few sentences on the garbled text of one file (None when there was none)."""
    if not found:
        return None
    fixable = [g for g in found if g.repair is not None]
    lost = [g for g in found if g.repair is None]
    sentences = len({g.line for g in found})
    parts = [f"{name}: {len(found):,} garbled run(s) of characters in {sentences:,} sentence(s), "
             "UTF-8 text once decoded with a CJK code page (mojibake)"]  # fmt: skip
    if fixable:
        first = fixable[0]
        verb = "repaired" if repaired else "repairable"
        parts.append(f"{len(fixable):,} {verb}, first at line {first.line}: "
                     f"{first.text!r} -> {first.repair!r}")  # fmt: skip
    if lost:
        parts.append(f"{len(lost):,} cannot be repaired (the bytes were lost before the file "
                     f"was written), first at line {lost[0].line}: {lost[0].text!r}")  # fmt: skip
    if fixable and not repaired:
        parts.append("tick 'Repair garbled text' and create the project again to repair them")
    return "; ".join(parts) + "."
