"""Decoding a data file into lines, with errors that name the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

from demux_core.errors import DataFormatError

_BOM = "\ufeff"
# A folder named like a language: ISO 639-1/3 code, optionally with a script (hau, hau_Latn).
_LANGUAGE_FOLDER = re.compile(r"^[a-z]{2,3}(?:[_-][A-Z][a-z]{3})?$")


def read_text(path: Path) -> str:
    """Read a whole file as UTF-8 (a leading BOM is dropped).

    Raises
    ------
    DataFormatError
        When the file is empty (line 1), or is not UTF-8: the message gives the line and the
        byte offset of the first undecodable byte.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DataFormatError(
            path,
            line,
            f"not UTF-8: undecodable byte 0x{data[error.start]:02x} at byte offset "
            f"{error.start}; re-save the file as UTF-8",
        ) from None
    text = text.removeprefix(_BOM)
    if not text.strip():
        raise DataFormatError(path, 1, "file is empty")
    return text


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only (``str.splitlines`` would also split on U+2028, U+0085...).

    A trailing ``\\r`` is removed from each line; a final empty line is dropped.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def folder_language(path: Path) -> str | None:
    """The language named by a folder: ``path`` itself when it is a folder, else its parent.

    Returns ``None`` when the folder name does not look like a language code
    (``hau``, ``hau_Latn``, ``en``).
    """
    folder = path if path.is_dir() else path.parent
    name = folder.resolve().name
    return name if _LANGUAGE_FOLDER.match(name) else None
