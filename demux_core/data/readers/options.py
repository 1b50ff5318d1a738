"""Settings every format reader receives, resolved once by :func:`read_examples`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from demux_core.data.examples import Example
from demux_core.data.readers.columns import ColumnSpec

# (1-based line or row number where the example starts, the example)
Located = tuple[int, Example]


@dataclass(frozen=True)
class ReadOptions:
    """Reader settings.

    Attributes
    ----------
    language_override : str or None
        The ``language=`` argument; wins over columns, comments and folder names.
    language_fallback : str or None
        The language the folder name gives (``hau``, ``hau_Latn``), used last.
    columns : ColumnSpec
        Explicit column names (row formats only).
    tag_scheme : {"bio", "bio-strict", "any"}
        How token tags are checked (see :mod:`demux_core.data.readers.bio`).
    split : str or None
        Split of a Hugging Face ``DatasetDict``.
    repairs : list or None
        When a list, every BIO repair made while reading is appended to it
        (:class:`demux_core.data.readers.bio.TagRepair`).
    """

    language_override: str | None = None
    language_fallback: str | None = None
    columns: ColumnSpec = field(default_factory=ColumnSpec)
    tag_scheme: str = "any"
    split: str | None = None
    repairs: list[Any] | None = field(default=None, compare=False)
