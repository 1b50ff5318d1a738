"""Column names for row-shaped formats (TSV/CSV, JSONL, Hugging Face) and building examples.

Each field of an example is read from an explicitly named column, or else from the first
candidate name that the row has (case-sensitive):

=============  ==============================================
field          auto-detected column names, in order
=============  ==============================================
text           text, sentence, sentence1, premise
text_pair      text_pair, sentence2, hypothesis
label          label, category
id             id, index_id, guid
language       language, lang
tokens         tokens, words
tags           tags, ner_tags, pos_tags, upos
question       question
context        context
answer_start   answer_start   (or SQuAD-style ``answers``)
answer_text    answer_text    (or SQuAD-style ``answers``)
=============  ==============================================

A column named explicitly but absent is an error; an auto-detected label/tags column that is
absent just means the row is unlabeled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "sentence", "sentence1", "premise"),
    "text_pair": ("text_pair", "sentence2", "hypothesis"),
    "label": ("label", "category"),
    "id": ("id", "index_id", "guid"),
    "language": ("language", "lang"),
    "tokens": ("tokens", "words"),
    "tags": ("tags", "ner_tags", "pos_tags", "upos"),
    "question": ("question",),
    "context": ("context",),
    "answer_start": ("answer_start",),
    "answer_text": ("answer_text",),
}


@dataclass(frozen=True)
class ColumnSpec:
    """Explicit column names; ``None`` means auto-detect (see the module docstring)."""

    text: str | None = None
    text_pair: str | None = None
    label: str | None = None
    id: str | None = None
    language: str | None = None
    tokens: str | None = None
    tags: str | None = None
    question: str | None = None
    context: str | None = None
    answer_start: str | None = None
    answer_text: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, str | None]) -> ColumnSpec:
        """Build from keyword options named ``<field>_column`` (e.g. ``text_column="sentence"``).

        Raises
        ------
        TypeError
            For an option that names no field.
        """
        valid = {f"{field.name}_column": field.name for field in fields(cls)}
        unknown = sorted(set(options) - set(valid))
        if unknown:
            raise TypeError(f"unknown reader option(s) {unknown}; valid: {sorted(valid)}")
        return cls(**{valid[key]: value for key, value in options.items()})

    def resolve(self, field: str, keys: Sequence[str] | Mapping[str, Any]) -> str | None:
        """The column ``field`` is read from, among ``keys``; ``None`` when absent.

        Raises
        ------
        KeyError
            When the column was named explicitly and is absent (message: the column name).
        """
        explicit = getattr(self, field)
        if explicit is not None:
            if explicit not in keys:
                raise KeyError(explicit)
            return explicit
        return next((name for name in CANDIDATES[field] if name in keys), None)
