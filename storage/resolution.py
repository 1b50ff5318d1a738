"""Which label of an example training uses, from its effective annotation per slot.

An example has at most one effective annotation per slot (:mod:`storage.annotations`):

- ``first``: the item's label (or skip / flag), from whoever served it first;
- ``second``: an overlap item's label from a second annotator (never the first's author);
- ``review``: a reviewer's decision, which settles the item (a ``skip`` there leaves it out).

Without a review, the first label counts unless a second annotation disagrees with it: two
different labels (or a label against a skip or flag) are a *conflict*, and the item has no
training label until a reviewer decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage.records import Annotation, Label


def disagree(first: Annotation, second: Annotation) -> bool:
    """Whether two annotations of one item differ (in kind, or in labels)."""
    return (first.kind, first.labels) != (second.kind, second.labels)


@dataclass(frozen=True)
class Resolution:
    """The label an example trains on (``None``: none) and why.

    ``state`` is one of ``"reviewed"``, ``"agreed"`` (two annotators gave the same label),
    ``"single"`` (one annotation), ``"conflict"`` (two that disagree, not reviewed yet).
    """

    label: Label | None
    state: str


def resolve(slots: Mapping[str, Annotation]) -> Resolution:
    """The training label of one example from its effective annotation per slot."""
    review, first, second = slots.get("review"), slots.get("first"), slots.get("second")
    if review is not None:
        return Resolution(review.labels if review.kind == "label" else None, "reviewed")
    if first is not None and second is not None:
        if disagree(first, second):
            return Resolution(None, "conflict")
        return Resolution(first.labels if first.kind == "label" else None, "agreed")
    only = first or second
    if only is None:
        return Resolution(None, "single")
    return Resolution(only.labels if only.kind == "label" else None, "single")


def labels_of(resolutions: Mapping[int, Resolution]) -> dict[int, Label]:
    """The example keys that have a training label, with it."""
    return {key: found.label for key, found in resolutions.items() if found.label is not None}
