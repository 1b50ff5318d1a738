"""CoNLL-U files (Universal Dependencies): words with their UPOS tag.

Ten tab-separated fields per word line; comment lines (``#``) are skipped except
``# sent_id = <id>``, which gives the sentence id. Multiword-token ranges (``1-2``) and empty
nodes (``1.1``) are skipped. A sentence whose UPOS column is all ``_`` is unlabeled; a ``_``
among real tags is an error.
"""

from __future__ import annotations

from pathlib import Path

from demux_core.data.examples import TokenExample
from demux_core.data.readers._text import read_text, split_lines
from demux_core.data.readers.options import Located, ReadOptions
from demux_core.errors import DataFormatError

_N_FIELDS = 10
_ID, _FORM, _UPOS = 0, 1, 3


def read_conllu(path: Path, options: ReadOptions) -> list[Located]:
    """Read a CoNLL-U file into token examples tagged with UPOS.

    Returns
    -------
    list of (int, TokenExample)
        Each sentence with its first line; ids from ``# sent_id`` or ``<stem>-<number>``.
    """
    located: list[Located] = []
    tokens: list[str] = []
    tags: list[str] = []
    sent_id: str | None = None
    first_line = 0
    for line_number, line in enumerate(split_lines(read_text(path)), start=1):
        if not line.strip():
            if tokens:
                located.append(_sentence(path, options, located, first_line, sent_id, tokens, tags))
            tokens, tags, sent_id, first_line = [], [], None, 0
            continue
        first_line = first_line or line_number
        if line.startswith("#"):
            key, _, value = line[1:].partition("=")
            if key.strip() == "sent_id" and value.strip():
                sent_id = value.strip()
            continue
        fields = line.split("\t")
        if len(fields) != _N_FIELDS:
            raise DataFormatError(
                path, line_number, f"expected {_N_FIELDS} tab-separated fields, found {len(fields)}"
            )
        word_id = fields[_ID]
        if "-" in word_id or "." in word_id:
            continue
        if not word_id.isdigit():
            raise DataFormatError(path, line_number, f"word id {word_id!r} is not an integer")
        tokens.append(fields[_FORM])
        tags.append(fields[_UPOS])
    if tokens:
        located.append(_sentence(path, options, located, first_line, sent_id, tokens, tags))
    if not located:
        raise DataFormatError(path, 1, "file has no sentences")
    return located


def _sentence(
    path: Path,
    options: ReadOptions,
    located: list[Located],
    first_line: int,
    sent_id: str | None,
    tokens: list[str],
    tags: list[str],
) -> Located:
    language = options.language_override or options.language_fallback
    if not language:
        raise DataFormatError(
            path, first_line, "no language: pass language=... or put the file in a language folder"
        )
    labeled = [tag != "_" for tag in tags]
    if any(labeled) and not all(labeled):
        raise DataFormatError(path, first_line, "sentence has some words without UPOS ('_')")
    example_id = sent_id or f"{path.stem}-{len(located) + 1}"
    gold = tuple(tags) if all(labeled) else None
    return first_line, TokenExample(example_id, language, tuple(tokens), gold)
