"""Labeled copies of examples, and gold labels in the form the metrics expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from demux_core.errors import DemuxError
from demux_core.examples import Example, QAExample, SequenceExample, TokenExample


def with_label(example: Example, label: object) -> Example:
    """A copy of ``example`` carrying ``label`` as its gold label.

    ``label`` is a tag sequence (token), a class name (sequence/pair), or
    ``(answer_start, answer_text)`` / ``""`` for no answer (QA).
    """
    if isinstance(example, TokenExample):
        tags = tuple(label)  # type: ignore[arg-type]
        if len(tags) != len(example.tokens):
            raise DemuxError(
                f"example {example.id}: {len(tags)} tags for {len(example.tokens)} tokens"
            )
        return replace(example, tags=tags)
    if isinstance(example, SequenceExample):
        return replace(example, label=str(label))
    if isinstance(example, QAExample):
        if label in ("", None):
            return replace(example, answer_start=-1, answer_text="")
        start, text = label  # type: ignore[misc]
        return replace(example, answer_start=int(start), answer_text=str(text))
    raise TypeError(f"not an example: {type(example).__name__}")


def gold_labels(examples: Sequence[Example]) -> list:
    """Gold labels in the form :func:`demux_core.evaluation.evaluate` expects."""
    labels = []
    for example in examples:
        if isinstance(example, QAExample):
            labels.append(example.answer_text or "")
        else:
            labels.append(example.gold)
    return labels
