"""Span tagging for token tasks, keeping BIO tags consistent.

Pure functions over tuples of tag strings; the annotation component's JavaScript
mirrors them and the service layer re-applies :func:`repair_bio` to whatever the
browser sends back, so a stored tag sequence is always valid BIO.
"""

from __future__ import annotations

from collections.abc import Sequence

from demux_core.data.readers.bio import entity_of, repair_bio

OUTSIDE = "O"


def _check_span(n_tokens: int, start: int, end: int) -> None:
    if not 0 <= start < end <= n_tokens:
        raise ValueError(f"span [{start}, {end}) is not inside a sentence of {n_tokens} tokens")


def set_span(tags: Sequence[str], start: int, end: int, entity: str) -> tuple[str, ...]:
    """Tag tokens ``start`` .. ``end - 1`` as one entity of type ``entity``.

    The first token becomes ``B-entity``, the rest ``I-entity``. An entity that
    continued into the token right after the span is restarted there (``I-`` -> ``B-``).

    Parameters
    ----------
    tags : sequence of str, length n_tokens
        Current BIO tags.
    start, end : int
        Half-open token span, ``0 <= start < end <= n_tokens``.
    entity : str
        Entity type without prefix, e.g. ``"PER"``.

    Returns
    -------
    tuple of str, length n_tokens
    """
    _check_span(len(tags), start, end)
    if not entity or entity == OUTSIDE:
        return clear_span(tags, start, end)
    updated = list(tags)
    updated[start] = f"B-{entity}"
    for index in range(start + 1, end):
        updated[index] = f"I-{entity}"
    return repair_bio(updated)


def clear_span(tags: Sequence[str], start: int, end: int) -> tuple[str, ...]:
    """Set tokens ``start`` .. ``end - 1`` to ``O``; a following ``I-X`` becomes ``B-X``.

    Parameters
    ----------
    tags : sequence of str, length n_tokens
    start, end : int
        Half-open token span.

    Returns
    -------
    tuple of str, length n_tokens
    """
    _check_span(len(tags), start, end)
    updated = list(tags)
    for index in range(start, end):
        updated[index] = OUTSIDE
    return repair_bio(updated)


def entity_types(label_schema: Sequence[str]) -> list[str]:
    """Entity types named by a BIO label schema, in first-seen order.

    ``["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]`` -> ``["PER", "LOC"]``. A schema
    without any ``B-``/``I-`` tag (POS) returns its labels unchanged.
    """
    types: list[str] = []
    for label in label_schema:
        entity = entity_of(label)
        name = entity if entity is not None else label
        if name != OUTSIDE and name not in types:
            types.append(name)
    return types


def is_bio_schema(label_schema: Sequence[str]) -> bool:
    """Whether a label schema is BIO (has at least one ``B-`` or ``I-`` tag)."""
    return any(entity_of(label) is not None for label in label_schema)


def spans_text(tokens: Sequence[str], tags: Sequence[str]) -> str:
    """The entity spans of a tag sequence in words, ``"PER: Ada Musa · LOC: Kano"`` (left to
    right; empty when there is none)."""
    from demux_core.agreement import spans

    found = sorted(spans(tags))
    return " · ".join(f"{kind}: {' '.join(tokens[start : end + 1])}" for start, end, kind in found)
