"""Reading a data file for import, and checking examples before they are stored.

Nothing here writes: :meth:`storage.ProjectStore.import_examples` reads the whole file
first (through ``demux_core.data.readers.read_examples``), checks every example, then inserts
everything in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from demux_core.data.examples import Example, TaskType
from demux_core.errors import DataFormatError
from storage.errors import StorageError
from storage.validation import example_problem


def read_file(path: Path, reader_options: dict[str, Any]) -> list[Example]:
    """All examples of ``path`` via ``demux_core.data.readers.read_examples``.

    Raises
    ------
    DataFormatError
        From the reader (bad line, unknown label...), or for text that is not valid
        in the file's encoding (line computed from the byte offset).
    StorageError
        If the readers package is not installed.
    """
    try:
        from demux_core.data.readers import read_examples
    except ImportError as error:  # pragma: no cover - readers ship with the app
        raise StorageError(
            "demux_core.data.readers is not available: cannot import files"
        ) from error
    try:
        return list(read_examples(path, **reader_options))
    except UnicodeDecodeError as error:
        raise DataFormatError(
            path, _line_of_byte(path, error.start), f"not valid {error.encoding} text"
        ) from error


def check_examples(
    examples: Sequence[Example], task: TaskType, labels: tuple[str, ...], source: str
) -> None:
    """Raise :class:`DataFormatError` for the first example that cannot be stored.

    Checks the task, tags count, label schema and ids repeated within ``examples``.
    ``source`` (a file path, or a description of an in-memory list) is named in the
    error, with the line when ``source`` is a file containing the example's id.
    """
    seen: set[str] = set()
    for index, example in enumerate(examples):
        problem = example_problem(task, labels, example)
        occurrence = 1
        if problem is None and example.id in seen:
            problem, occurrence = f"id {example.id!r} appears twice", 2
        if problem is not None:
            line = line_of(Path(source), example.id, occurrence)
            where = "" if line is not None else f" (example #{index + 1})"
            raise DataFormatError(source, line, problem + where)
        seen.add(example.id)


def line_of(path: Path, needle: str, occurrence: int = 1) -> int | None:
    """1-based line of the ``occurrence``-th line holding ``needle`` as a whole field.

    Best effort, used to point at the line of a repeated id: ``None`` when ``path`` is
    not a readable file or the id is not written in it (e.g. generated ids).
    """
    if not needle or not path.is_file():
        return None
    pattern = re.compile(r"(?<![\w-])" + re.escape(needle) + r"(?![\w-])")
    found = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if pattern.search(text):
                found += 1
                if found == occurrence:
                    return number
    return None


def _line_of_byte(path: Path, offset: int) -> int | None:
    try:
        data = path.read_bytes() if path.is_file() else None
    except OSError:
        return None
    return None if data is None else data.count(b"\n", 0, offset) + 1
