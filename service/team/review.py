"""The review queue: items whose two annotators disagree, and flagged items, until a
reviewer decides.

A decision is an annotation in the item's ``review`` slot (:mod:`storage.resolution`): a
label, which training then uses, or a skip, which leaves the item out for good. Until then
a conflicting item is left out of training, and each round records how many
(``left_out_conflicts`` in its metrics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from demux_core.data.examples import Example, QAExample, TokenExample
from service.annotation import stored_label
from service.bio import spans_text
from storage import Annotation, ProjectStore, Round
from storage.resolution import resolve


@dataclass(frozen=True)
class ReviewItem:
    """One item waiting for a reviewer.

    Attributes
    ----------
    example_key : int
    example : Example
        Gold labels are never shown.
    first, second : Annotation or None
        The effective first and second annotations (``second`` is None on an item that
        was flagged without overlap).
    reason : {"disagreement", "flagged"}
    """

    example_key: int
    example: Example
    first: Annotation | None
    second: Annotation | None
    reason: str

    @property
    def annotations(self) -> list[Annotation]:
        return [a for a in (self.first, self.second) if a is not None]


def review_queue(store: ProjectStore) -> list[ReviewItem]:
    """Source items with two disagreeing annotations or a flag, and no decision yet, in the
    order they were annotated."""
    waiting = []
    for key, slots in store.slot_annotations("source").items():
        if "review" in slots:
            continue
        if resolve(slots).state == "conflict":
            waiting.append((key, slots, "disagreement"))
        elif any(annotation.kind == "flag" for annotation in slots.values()):
            waiting.append((key, slots, "flagged"))
    waiting.sort(key=lambda entry: max(a.id for a in entry[1].values()))
    stored = store.get_examples([key for key, _, _ in waiting])
    return [ReviewItem(key, example.example, slots.get("first"), slots.get("second"), reason)
            for (key, slots, reason), example in zip(waiting, stored, strict=True)]  # fmt: skip


def decide(
    store: ProjectStore, item: ReviewItem, label: Any, reviewer: str, *, leave_out: bool = False
) -> Annotation:
    """Save the reviewer's decision on ``item``: ``label`` (in the widgets' form: a class name,
    a tag list, an ``(answer_start, answer_text)`` pair) or, with ``leave_out``, no label.

    Raises
    ------
    storage.ItemTakenError
        Another reviewer decided the item meanwhile (nothing is written).
    storage.InvalidAnnotationError
        The label does not fit the item or the schema.
    """
    if leave_out:
        return store.save_annotation(item.example_key, None, annotator=reviewer, kind="skip",
                                     slot="review", only_if_unhandled=True)  # fmt: skip
    return store.save_annotation(item.example_key, stored_label(store, item.example, label),
                                 annotator=reviewer, slot="review",
                                 only_if_unhandled=True)  # fmt: skip


def undo_decision(store: ProjectStore, reviewer: str) -> Annotation | None:
    """Take back ``reviewer``'s newest decision (not their labels on Annotate); the item
    waits again."""
    return store.undo_last_annotation(reviewer, slots=("review",))


def label_text(example: Example, annotation: Annotation | None) -> str:
    """An annotation in words: the class, the entity spans, the answer, or what was done
    (plain text: show it escaped)."""
    if annotation is None:
        return "—"
    if annotation.kind != "label":
        return {"skip": "skipped", "flag": "flagged"}[annotation.kind]
    label = annotation.labels
    if isinstance(example, TokenExample):
        return spans_text(example.tokens, label) or "no entities"
    if isinstance(example, QAExample):
        return "no answer" if label[0] < 0 else f"“{label[1]}”"
    return str(label)


def left_out_note(current: Round | None) -> str | None:
    """What the round left out of training because its annotators disagreed (None: nothing)."""
    if current is None:
        return None
    count = int((current.metrics or {}).get("left_out_conflicts") or 0)
    if not count:
        return None
    return (f"Round {current.number} trained without {count} sentence(s) whose two annotators "
            "disagree: a reviewer decides them on the Review page, and the next round trains "
            "on the decisions.")  # fmt: skip
