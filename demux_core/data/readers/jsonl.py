"""JSON Lines: one JSON object per line.

Shapes (keys per :mod:`demux_core.data.readers.columns`; ``id`` and ``language`` optional):
``{"tokens": [...], "tags": [...]}``, ``{"text": ..., "label": ..., "text_pair": ...}``, and
QA ``{"question", "context", "answer_start", "answer_text"}`` (or SQuAD-style ``answers``).
Blank lines are skipped. Token tags are checked per ``tag_scheme``.
"""

from __future__ import annotations

import json
from pathlib import Path

from demux_core.data.readers._text import read_text, split_lines
from demux_core.data.readers.options import Located, ReadOptions
from demux_core.data.readers.rows import read_row
from demux_core.errors import DataFormatError


def read_jsonl(path: Path, options: ReadOptions) -> list[Located]:
    """Read a JSONL file into examples (one per non-blank line).

    Returns
    -------
    list of (int, Example)
        Each example with its line; ids from ``id`` or ``<stem>-<row number>``.
    """
    located: list[Located] = []
    for line_number, line in enumerate(split_lines(read_text(path)), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataFormatError(
                path, line_number, f"bad JSON: {error.msg} (column {error.colno})"
            ) from None
        if not isinstance(row, dict):
            raise DataFormatError(
                path, line_number, f"expected a JSON object, got {type(row).__name__}"
            )
        example = read_row(
            row,
            options,
            path=path,
            line=line_number,
            default_id=f"{path.stem}-{len(located) + 1}",
        )
        located.append((line_number, example))
    return located
