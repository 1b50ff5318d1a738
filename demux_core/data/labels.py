"""Labeled copies of examples, and gold labels in the form the metrics expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from demux_core.data.examples import Example, QAExample, SequenceExample, TokenExample
from demux_core.errors import DemuxError


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
    """Gold labels in the form :func:`demux_core.rounds.evaluation.evaluate` expects."""
    labels = []
    for example in examples:
        if isinstance(example, QAExample):
            labels.append(example.answer_text or "")
        else:
            labels.append(example.gold)
    return labels


NO_ENTITY = "(no entity)"


def label_counts(examples: Sequence[Example], tag_scheme: str = "bio") -> dict[str, int]:
    """How the gold labels of ``examples`` are spread, to see what a strategy picked.

    Units depend on the task: sequence and pair examples count once under their class;
    NER (``tag_scheme="bio"``) sentences count once under every entity type they contain,
    or under ``"(no entity)"``; POS tags count per word; QA examples count as ``"answer"``
    or ``"no answer"``. Unlabeled examples are skipped.

    Returns
    -------
    dict of str to int
        Sorted by label.
    """
    counts: dict[str, int] = {}

    def add(label: str, n: int = 1) -> None:
        counts[label] = counts.get(label, 0) + n

    for example in examples:
        if isinstance(example, QAExample):
            if example.answer_start is not None:
                add("answer" if example.answer_text else "no answer")
        elif isinstance(example, TokenExample):
            if example.tags is None:
                continue
            if tag_scheme == "bio":
                types = {tag[2:] for tag in example.tags if tag[:2] in ("B-", "I-")}
                for entity_type in types or {NO_ENTITY}:
                    add(entity_type)
            else:
                for tag in example.tags:
                    add(tag)
        elif example.gold is not None:
            add(str(example.gold))
    return dict(sorted(counts.items()))
