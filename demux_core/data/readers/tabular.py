"""TSV and CSV files with a header row (SIB-200: ``index_id<TAB>category<TAB>text``).

Parsed with the :mod:`csv` module (so quoted fields, doubled quotes and quoted newlines
work). Columns follow :mod:`demux_core.data.readers.columns`. An empty label cell means the row is
unlabeled. Blank lines are skipped. Line numbers in errors are physical file lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from demux_core.data.readers._text import read_text
from demux_core.data.readers.options import Located, ReadOptions
from demux_core.data.readers.rows import read_row
from demux_core.errors import DataFormatError


def read_delimited(path: Path, options: ReadOptions, delimiter: str) -> list[Located]:
    """Read a delimited file with a header.

    Parameters
    ----------
    path : Path
        The file.
    options : ReadOptions
        Columns and language settings.
    delimiter : str
        ``"\\t"`` for TSV, ``","`` for CSV.

    Returns
    -------
    list of (int, Example)
        One example per data row, with its line; ids from the id column or ``<stem>-<row>``.
    """
    reader = csv.reader(io.StringIO(read_text(path), newline=""), delimiter=delimiter)
    header = _header(path, reader)
    located: list[Located] = []
    line_before = reader.line_num
    try:
        for cells in reader:
            line = line_before + 1
            line_before = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != len(header):
                raise DataFormatError(
                    path, line, f"expected {len(header)} fields like the header, found {len(cells)}"
                )
            row = dict(zip(header, cells, strict=True))
            example = read_row(
                row,
                options,
                path=path,
                line=line,
                default_id=f"{path.stem}-{len(located) + 1}",
                empty_is_missing=True,
            )
            located.append((line, example))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            limit = csv.field_size_limit()
            raise DataFormatError(
                path,
                reader.line_num,
                f"a field is longer than the limit of {limit // 1024} KiB ({limit:,} characters)",
            ) from None
        raise DataFormatError(
            path, reader.line_num, f"malformed {_kind(delimiter)}: {error}"
        ) from None
    if not located:
        raise DataFormatError(path, 2, "file has a header but no data rows")
    return located


def _header(path: Path, reader: csv.Reader) -> list[str]:
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise DataFormatError(path, 1, f"cannot read the header row: {error}") from None
    header = [name.strip() for name in header]
    if any(not name for name in header):
        raise DataFormatError(path, 1, f"header has an empty column name: {header}")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise DataFormatError(path, 1, f"header repeats column name(s) {duplicates}")
    return header


def _kind(delimiter: str) -> str:
    return "TSV" if delimiter == "\t" else "CSV"
