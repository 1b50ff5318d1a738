"""Turning one row (a dict of column -> value) into an :data:`Example`.

Shared by the TSV/CSV, JSONL and Hugging Face readers, so that the three formats follow the
same column conventions (:mod:`demux_core.data.readers.columns`) and the same error messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from demux_core.data.examples import Example, QAExample, SequenceExample, TokenExample
from demux_core.data.readers.bio import normalise_tags
from demux_core.data.readers.columns import ColumnSpec
from demux_core.data.readers.options import ReadOptions
from demux_core.errors import DataFormatError


@dataclass(frozen=True)
class RowContext:
    """Where a row comes from and the defaults that apply to it.

    Attributes
    ----------
    path, line : Path, int
        File (or folder) and 1-based line/row number, for errors.
    default_id : str
        The id when the row has no id column (``<stem>-<row number>``).
    language_override : str or None
        The ``language=`` argument: wins over any column.
    language_fallback : str or None
        The language named by the folder, used when the row has no language column.
    class_names : mapping of column -> sequence of str
        Names of integer class labels (Hugging Face ``ClassLabel``), by column.
    empty_is_missing : bool
        Whether an empty string in a label/answer cell means "unlabeled" (TSV/CSV).
    """

    path: Path
    line: int
    default_id: str
    language_override: str | None = None
    language_fallback: str | None = None
    class_names: Mapping[str, Sequence[str]] = field(default_factory=dict)
    empty_is_missing: bool = False

    def error(self, message: str) -> DataFormatError:
        return DataFormatError(self.path, self.line, message)


def read_row(
    row: Mapping[str, Any],
    options: ReadOptions,
    *,
    path: Path,
    line: int,
    default_id: str,
    class_names: Mapping[str, Sequence[str]] | None = None,
    empty_is_missing: bool = False,
) -> Example:
    """The example of one JSONL line / table row / dataset row, token tags checked.

    Every row format reads through here, so the language rules and the tag scheme are applied
    the same way everywhere.
    """
    context = RowContext(
        path=path,
        line=line,
        default_id=default_id,
        language_override=options.language_override,
        language_fallback=options.language_fallback,
        class_names=class_names or {},
        empty_is_missing=empty_is_missing,
    )
    example = build_example(row, options.columns, context)
    if isinstance(example, TokenExample) and example.tags is not None:
        tags = normalise_tags(example.tags, options.tag_scheme, path, [line], options.repairs)
        example = replace(example, tags=tags)
    return example


def build_example(row: Mapping[str, Any], spec: ColumnSpec, ctx: RowContext) -> Example:
    """Build the example a row describes; the task follows from the columns present.

    ``tokens`` -> :class:`TokenExample`; ``question`` and ``context`` -> :class:`QAExample`;
    ``text`` (and maybe ``text_pair``) -> :class:`SequenceExample`.

    Raises
    ------
    DataFormatError
        For a missing column, a value of the wrong type, or tokens/tags length mismatch.
    """
    try:
        tokens_col = spec.resolve("tokens", row)
        question_col = spec.resolve("question", row)
        context_col = spec.resolve("context", row)
        text_col = spec.resolve("text", row)
    except KeyError as missing:
        raise ctx.error(f"missing column {missing.args[0]!r}") from None
    example_id = _example_id(row, spec, ctx)
    language = _language(row, spec, ctx)
    if tokens_col is not None:
        return _token_example(row, spec, ctx, example_id, language, tokens_col)
    if question_col is not None and context_col is not None:
        return _qa_example(row, spec, ctx, example_id, language, question_col, context_col)
    if text_col is not None:
        return _sequence_example(row, spec, ctx, example_id, language, text_col)
    raise ctx.error(
        "no text column: expected 'text' or 'sentence' (or 'tokens', or 'question' and "
        f"'context'), found columns {sorted(row)}"
    )


def _column(row: Mapping[str, Any], spec: ColumnSpec, name: str, ctx: RowContext) -> str | None:
    try:
        return spec.resolve(name, row)
    except KeyError as missing:
        raise ctx.error(f"missing column {missing.args[0]!r}") from None


def _string(value: Any, column: str, ctx: RowContext) -> str:
    if not isinstance(value, str):
        raise ctx.error(f"column {column!r} must be a string, got {type(value).__name__}")
    return value


def _class_name(value: Any, column: str, ctx: RowContext) -> str | None:
    """A label value as a string: ints map through ClassLabel names where known."""
    if value is None or (ctx.empty_is_missing and value == ""):
        return None
    if isinstance(value, bool):
        raise ctx.error(f"column {column!r} must be a string or an integer class, got a boolean")
    if isinstance(value, int):
        names = ctx.class_names.get(column)
        if names is None:
            return str(value)
        if not 0 <= value < len(names):
            raise ctx.error(f"column {column!r}: class index {value} outside 0..{len(names) - 1}")
        return names[value]
    return _string(value, column, ctx)


def _example_id(row: Mapping[str, Any], spec: ColumnSpec, ctx: RowContext) -> str:
    column = _column(row, spec, "id", ctx)
    if column is None or row[column] is None:
        return ctx.default_id
    value = row[column]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ctx.error(f"column {column!r} (id) must be a string or integer")
    text = str(value).strip()
    if not text:
        raise ctx.error(f"column {column!r} (id) is empty")
    return text


def _language(row: Mapping[str, Any], spec: ColumnSpec, ctx: RowContext) -> str:
    if ctx.language_override:
        return ctx.language_override
    column = _column(row, spec, "language", ctx)
    if column is not None and row[column]:
        return _string(row[column], column, ctx).strip()
    if ctx.language_fallback:
        return ctx.language_fallback
    raise ctx.error(
        "no language: pass language=..., add a 'language' column, or put the file in a "
        "folder named after its language (e.g. hau/ or hau_Latn/)"
    )


def _token_example(
    row: Mapping[str, Any],
    spec: ColumnSpec,
    ctx: RowContext,
    example_id: str,
    language: str,
    tokens_col: str,
) -> TokenExample:
    tokens = row[tokens_col]
    if not isinstance(tokens, list | tuple) or not all(isinstance(t, str) for t in tokens):
        raise ctx.error(f"column {tokens_col!r} must be a list of strings")
    if not tokens:
        raise ctx.error(f"column {tokens_col!r} is an empty list (a sentence needs tokens)")
    tags_col = _column(row, spec, "tags", ctx)
    raw_tags = row[tags_col] if tags_col is not None else None
    if raw_tags is None:
        return TokenExample(example_id, language, tuple(tokens), None)
    if not isinstance(raw_tags, list | tuple):
        raise ctx.error(f"column {tags_col!r} must be a list")
    if len(raw_tags) != len(tokens):
        raise ctx.error(
            f"{len(tokens)} tokens but {len(raw_tags)} tags: each token needs exactly one tag"
        )
    tags = tuple(_class_name(tag, tags_col, ctx) or "" for tag in raw_tags)
    if "" in tags:
        raise ctx.error(f"column {tags_col!r} has an empty or null tag")
    return TokenExample(example_id, language, tuple(tokens), tags)


def _sequence_example(
    row: Mapping[str, Any],
    spec: ColumnSpec,
    ctx: RowContext,
    example_id: str,
    language: str,
    text_col: str,
) -> SequenceExample:
    text = _string(row[text_col], text_col, ctx)
    pair_col = _column(row, spec, "text_pair", ctx)
    text_pair = row[pair_col] if pair_col is not None else None
    if text_pair is not None:
        text_pair = _string(text_pair, pair_col, ctx)
    label_col = _column(row, spec, "label", ctx)
    label = _class_name(row[label_col], label_col, ctx) if label_col is not None else None
    return SequenceExample(example_id, language, text, text_pair, label)


def _qa_example(
    row: Mapping[str, Any],
    spec: ColumnSpec,
    ctx: RowContext,
    example_id: str,
    language: str,
    question_col: str,
    context_col: str,
) -> QAExample:
    question = _string(row[question_col], question_col, ctx)
    context = _string(row[context_col], context_col, ctx)
    start, answer = _answer(row, spec, ctx)
    if start is not None and answer is not None and start >= 0:
        if context[start : start + len(answer)] != answer:
            raise ctx.error(
                f"answer_text {answer!r} does not occur at answer_start {start} of the context"
            )
    elif start is not None and answer is not None and (start != -1 or answer != ""):
        raise ctx.error("an unanswerable question needs answer_start -1 and answer_text ''")
    return QAExample(example_id, language, question, context, start, answer)


def _answer(
    row: Mapping[str, Any], spec: ColumnSpec, ctx: RowContext
) -> tuple[int | None, str | None]:
    """``(answer_start, answer_text)`` from flat columns or a SQuAD-style ``answers`` dict."""
    start_col = _column(row, spec, "answer_start", ctx)
    text_col = _column(row, spec, "answer_text", ctx)
    if start_col is None and text_col is None and isinstance(row.get("answers"), Mapping):
        answers = row["answers"]
        starts, texts = answers.get("answer_start") or [], answers.get("text") or []
        if not starts and not texts:
            return -1, ""
        return _start(starts[0], "answers", ctx), _string(texts[0], "answers", ctx)
    raw_start = row[start_col] if start_col is not None else None
    raw_text = row[text_col] if text_col is not None else None
    if ctx.empty_is_missing and raw_start == "":
        raw_start, raw_text = None, None
    if raw_start is None and raw_text is None:
        return None, None
    if raw_start is None or raw_text is None:
        raise ctx.error("answer_start and answer_text must both be given or both be missing")
    return _start(raw_start, start_col or "answer_start", ctx), _string(
        raw_text, "answer_text", ctx
    )


def _start(value: Any, column: str, ctx: RowContext) -> int:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise ctx.error(f"column {column!r} must be an integer, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ctx.error(f"column {column!r} must be an integer")
    return value
