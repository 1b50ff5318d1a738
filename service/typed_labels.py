"""Labels typed by hand: tags for a token item, an answer copied from a QA context."""

from __future__ import annotations

from collections.abc import Sequence

from service.bio import OUTSIDE, is_bio_schema, repair_bio

QAAnswer = tuple[int, str]
NO_ANSWER: QAAnswer = (-1, "")


def parse_tags(text: str, n_tokens: int, labels: Sequence[str]) -> tuple[str, ...]:
    """Read space-separated tags typed by hand (the keyboard-free fallback of the tagger).

    Raises
    ------
    ValueError
        When the count differs from ``n_tokens`` or a tag is not in ``labels`` (naming it).
    """
    tags = tuple(text.split())
    if len(tags) != n_tokens:
        raise ValueError(f"expected {n_tokens} tags (one per token), got {len(tags)}")
    allowed = set(labels) | {OUTSIDE}
    unknown = [f"{tag!r} (token {i + 1})" for i, tag in enumerate(tags) if tag not in allowed]
    if unknown:
        raise ValueError(f"unknown tag(s): {', '.join(unknown[:5])}; allowed: {sorted(allowed)}")
    return repair_bio(tags) if is_bio_schema(labels) else tags


def find_answer(context: str, answer_text: str) -> QAAnswer:
    """The ``(start, text)`` of the first occurrence of ``answer_text`` in ``context``.

    Raises
    ------
    ValueError
        When ``answer_text`` is empty or not in the context.
    """
    answer = answer_text.strip()
    if not answer:
        raise ValueError("the answer is empty: use 'No answer' instead")
    start = context.find(answer)
    if start < 0:
        raise ValueError("the answer must be copied exactly from the context")
    return (start, answer)
