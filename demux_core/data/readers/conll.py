"""CoNLL NER files: ``token TAG`` per line, whitespace separated, a blank line between sentences.

Format details
--------------
* The first token line fixes the number of columns of the whole file: 1 column means an
  unlabeled file (tokens only); 2 or more means the token is the first column and the tag
  the last (so CoNLL-2003's ``token POS chunk NER`` also reads). Any other line with a
  different number of fields is an error.
* A line that starts with whitespace and lacks exactly its token (e.g. ``" O"``: an empty
  token, which MasakhaNER 2.0 xho/train.txt has twice) is dropped.
* Before a sentence, the comment lines ``# id = <id>`` and ``# language = <code>`` (as
  :func:`demux_core.data.readers.writers.write_conll` writes them) set its id and language. Other
  lines starting with ``#`` are tokens (``# O`` is a real MasakhaNER token line).
* Tags are checked per ``tag_scheme`` (default BIO with orphan ``I-X`` repaired, see
  :mod:`demux_core.data.readers.bio`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from demux_core.data.examples import TokenExample
from demux_core.data.readers._text import read_text, split_lines
from demux_core.data.readers.bio import normalise_tags
from demux_core.data.readers.options import Located, ReadOptions
from demux_core.errors import DataFormatError

_COMMENT = re.compile(r"^# (id|language) = (\S+)\s*$")


@dataclass
class _Sentence:
    """A sentence being collected."""

    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)
    first_line: int = 0


def read_conll(path: Path, options: ReadOptions) -> list[Located]:
    """Read a CoNLL file into token examples.

    Parameters
    ----------
    path : Path
        The file.
    options : ReadOptions
        Language and tag-scheme settings.

    Returns
    -------
    list of (int, TokenExample)
        Each sentence with the line it starts on; ids ``<stem>-<sentence number>`` unless a
        ``# id =`` comment gives one.
    """
    lines = split_lines(read_text(path))
    located: list[Located] = []
    n_columns: int | None = None
    sentence = _Sentence()
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            _flush(sentence, path, options, located)
            sentence = _Sentence()
            continue
        comment = _COMMENT.match(line) if not sentence.tokens else None
        if comment is not None:
            sentence.comments[comment.group(1)] = comment.group(2)
            sentence.first_line = sentence.first_line or line_number
            continue
        parts = line.split()
        if n_columns is None:
            n_columns = len(parts)
        if len(parts) != n_columns:
            if n_columns > 1 and len(parts) == n_columns - 1 and line[0].isspace():
                continue  # an empty token: dropped (see module docstring)
            raise DataFormatError(
                path,
                line_number,
                f"expected {n_columns} whitespace-separated field(s) as on the first token "
                f"line (token{' and tag' if n_columns > 1 else ''}), found {len(parts)}: {line!r}",
            )
        sentence.first_line = sentence.first_line or line_number
        sentence.tokens.append(parts[0])
        if n_columns > 1:
            sentence.tags.append(parts[-1])
        sentence.lines.append(line_number)
    _flush(sentence, path, options, located)
    if not located:
        raise DataFormatError(path, 1, "file has no sentences")
    return located


def _flush(sentence: _Sentence, path: Path, options: ReadOptions, located: list[Located]) -> None:
    """Append the collected sentence (if it has tokens) as an example."""
    if not sentence.tokens:
        if sentence.comments:
            raise DataFormatError(
                path, sentence.first_line, "comment lines with no sentence after them"
            )
        return
    number = len(located) + 1
    example_id = sentence.comments.get("id", f"{path.stem}-{number}")
    language = (
        options.language_override or sentence.comments.get("language") or options.language_fallback
    )
    if not language:
        raise DataFormatError(
            path,
            sentence.first_line,
            "no language: pass language=... or put the file in a folder named after its "
            "language (e.g. hau/)",
        )
    tags = None
    if sentence.tags:
        tags = normalise_tags(
            sentence.tags, options.tag_scheme, path, sentence.lines, options.repairs
        )
    located.append(
        (sentence.first_line, TokenExample(example_id, language, tuple(sentence.tokens), tags))
    )
