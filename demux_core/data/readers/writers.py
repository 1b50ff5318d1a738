"""Writers for export; reading a written file with :func:`read_examples` gives equal examples.

* :func:`write_conll`: token examples, ``token TAG`` lines (tokens only when unlabeled), each
  sentence preceded by ``# id = ...`` and ``# language = ...`` comment lines. Read back UPOS
  files with ``tag_scheme="any"``.
* :func:`write_jsonl`: any examples, one object per line (UTF-8, not ASCII-escaped).
* :func:`write_csv`: sequence/pair or QA examples, via :mod:`csv` (proper quoting).
* :func:`write_hf_disk`: one kind of example as a ``datasets`` ``save_to_disk`` folder.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from demux_core.data.examples import Example, QAExample, SequenceExample, TokenExample
from demux_core.errors import DemuxError


def write_conll(examples: Sequence[TokenExample], path: str | Path) -> Path:
    """Write token examples as a CoNLL file.

    Raises
    ------
    DemuxError
        For a non-token example, a token that is empty or has whitespace, an id or language
        with whitespace, or a mix of labeled and unlabeled sentences.
    """
    target = _prepare(path, examples)
    labeled = {isinstance(e, TokenExample) and e.tags is not None for e in examples}
    if len(labeled) > 1:
        raise DemuxError("cannot write labeled and unlabeled sentences into one CoNLL file")
    blocks = []
    for example in examples:
        if not isinstance(example, TokenExample):
            raise DemuxError(f"write_conll takes token examples; {example.id!r} is not one")
        for name, value in (("id", example.id), ("language", example.language)):
            if not value or len(value.split()) != 1 or value != value.strip():
                raise DemuxError(f"{example.id!r}: {name} {value!r} cannot go in a CoNLL comment")
        lines = [f"# id = {example.id}", f"# language = {example.language}"]
        for position, token in enumerate(example.tokens):
            if not token or len(token.split()) != 1 or token != token.strip():
                raise DemuxError(
                    f"{example.id!r}: token {position} {token!r} is empty or has whitespace"
                )
            lines.append(token if example.tags is None else f"{token} {example.tags[position]}")
        blocks.append("\n".join(lines) + "\n")
    target.write_text("\n".join(blocks), encoding="utf-8")
    return target


def write_jsonl(examples: Sequence[Example], path: str | Path) -> Path:
    """Write any examples as JSON Lines (fields that are ``None`` are left out)."""
    target = _prepare(path, examples)
    with target.open("w", encoding="utf-8", newline="\n") as out:
        for example in examples:
            row = {key: value for key, value in _row(example).items() if value is not None}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``=cmd|...``,
    ``+``, ``-``, ``@``, tab, CR first) gets a leading apostrophe, as spreadsheet tools
    expect; anything else is returned unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def write_csv(examples: Sequence[SequenceExample | QAExample], path: str | Path) -> Path:
    """Write sequence/pair (or QA) examples as CSV with a header; ``None`` becomes an empty cell.

    Text cells that a spreadsheet would run as formulas are neutralised
    (:func:`neutralise_formula`); JSONL and the other formats keep the text unchanged.

    Raises
    ------
    DemuxError
        For token examples, or a mix of kinds (sequence with pair, sequence with QA).
    """
    target = _prepare(path, examples)
    kinds = {_kind(example) for example in examples}
    if len(kinds) != 1 or "token" in kinds:
        raise DemuxError(
            f"write_csv takes one kind of sequence, pair or QA examples, got {sorted(kinds)}"
        )
    rows = [_row(example) for example in examples]
    header = [key for key in rows[0] if key != "label" or any(r["label"] is not None for r in rows)]
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                ["" if row[key] is None else neutralise_formula(row[key]) for key in header]
            )
    return target


def write_hf_disk(examples: Sequence[Example], path: str | Path) -> Path:
    """Write one kind of example as a ``datasets.Dataset`` folder (``save_to_disk``)."""
    import datasets  # heavy: imported only here

    target = _prepare(path, examples)
    kinds = {_kind(example) for example in examples}
    if len(kinds) != 1:
        raise DemuxError(f"write_hf_disk takes one kind of example, got {sorted(kinds)}")
    rows = [_row(example) for example in examples]
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    datasets.Dataset.from_dict(columns).save_to_disk(str(target))
    return target


def _prepare(path: str | Path, examples: Sequence[Example]) -> Path:
    if not examples:
        raise DemuxError("nothing to write: no examples")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _kind(example: Example) -> str:
    if isinstance(example, TokenExample):
        return "token"
    if isinstance(example, QAExample):
        return "qa"
    return "pair" if example.text_pair is not None else "sequence"


def _row(example: Example) -> dict[str, Any]:
    """The example as a column -> value dict, in the column conventions the readers use."""
    row: dict[str, Any] = {"id": example.id, "language": example.language}
    if isinstance(example, TokenExample):
        row["tokens"] = list(example.tokens)
        row["tags"] = None if example.tags is None else list(example.tags)
    elif isinstance(example, QAExample):
        row.update(
            question=example.question,
            context=example.context,
            answer_start=example.answer_start,
            answer_text=example.answer_text,
        )
    else:
        row["text"] = example.text
        if example.text_pair is not None:
            row["text_pair"] = example.text_pair
        row["label"] = example.label
    return row
