"""What an annotator's key press or click does: always to the item their page showed.

The Annotate page sends every action with the key of the item it displayed (the
browser-side widgets put it in the payload), never "whatever is next now". Each annotation
session (one browser tab) is served its own item through a claim, and an action on an item
handled or claimed meanwhile is refused with a reason the page shows; nothing is dropped
silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from demux_core.data.examples import Example, QAExample, TokenExample
from service.annotation import AnnotationItem, mark, save_label, undo_last
from service.typed_labels import NO_ANSWER, find_answer
from storage import Annotation, InvalidAnnotationError, ItemTakenError, ProjectStore

ITEM_ACTIONS = ("label", "skip", "flag")
ACTIONS = (*ITEM_ACTIONS, "undo")
EXCERPT_CHARS = 48


@dataclass(frozen=True)
class Press:
    """One action, as the browser sent it.

    Attributes
    ----------
    nonce : str
        Unique per press (the page handles each nonce once).
    action : {"label", "skip", "flag", "undo"}
    example_key : int or None
        The item displayed when the annotator pressed (``None`` for undo).
    label : Any
        For ``"label"``: a class name (sequence / pair), a tag list (token), or the answer
        text (QA; ``None`` = no answer).
    active_seconds : float or None
        The annotator's active time on the item, measured by the page (display to press,
        each idle gap cut at :data:`service.team.timing.IDLE_LIMIT_S`); capped at
        :data:`MAX_ACTIVE_S`.
    """

    nonce: str
    action: str
    example_key: int | None = None
    label: Any = None
    active_seconds: float | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Press:
        """Read one press sent by a widget (``nonce``, ``action``, ``example_id``, ``label``).

        Raises
        ------
        ValueError
            When the action is unknown or an item action carries no item.
        """
        action = str(payload.get("action", ""))
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        raw_key = payload.get("example_id")
        key = None if raw_key in (None, "") else int(raw_key)
        if action in ITEM_ACTIONS and key is None:
            raise ValueError(f"a {action!r} press names no item")
        return cls(str(payload.get("nonce", "")), action, key, payload.get("label"),
                   _active_seconds(payload.get("active_ms")))  # fmt: skip


# One item never counts more than this much active time (a page left measuring for hours).
MAX_ACTIVE_S = 3600.0


def _active_seconds(value: Any) -> float | None:
    """Seconds from the page's ``active_ms`` (None when absent or not a finite number >= 0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value) / 1000
    return min(seconds, MAX_ACTIVE_S) if 0 <= seconds < float("inf") else None


@dataclass(frozen=True)
class PressOutcome:
    """What became of one press: saved, undone, or refused (with the reason in words)."""

    press: Press
    saved: Annotation | None = None
    undone: Annotation | None = None
    refused: str | None = None


def serve_item(
    store: ProjectStore,
    round_id: int,
    items: Sequence[AnnotationItem],
    *,
    session: str,
    annotator: str,
) -> AnnotationItem | None:
    """The item this session shows: the one it holds, else the first nobody holds (an
    overlap item a second time, to anyone but its first annotator).

    ``None`` when every item is handled or shown to someone else.
    """
    keys = [item.example_key for item in items]
    double = [item.example_key for item in items if item.double]
    chosen = store.claim_next(round_id, keys, session=session, annotator=annotator,
                              double=double)  # fmt: skip
    return next((item for item in items if item.example_key == chosen), None)


def held_by_others(
    store: ProjectStore, round_id: int, items: Sequence[AnnotationItem], session: str
) -> dict[int, str]:
    """Open items another session shows right now: example key -> annotator."""
    open_keys = {item.example_key for item in items if not item.handled or item.awaits_second}
    return {
        claim.example_key: claim.annotator
        for claim in store.live_claims(round_id)
        if claim.session != session and claim.example_key in open_keys
    }


def excerpt(item: AnnotationItem) -> str:
    """The start of the item's text, for messages (plain text: show it escaped)."""
    return example_excerpt(item.example)


def example_excerpt(example: Example) -> str:
    """The start of an example's text (sentence, tokens joined, or question), plain text."""
    if isinstance(example, TokenExample):
        text = " ".join(example.tokens)
    elif isinstance(example, QAExample):
        text = example.question
    else:
        text = example.text
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _label(item: AnnotationItem, label: Any) -> Any:
    if isinstance(item.example, QAExample):
        return NO_ANSWER if label is None else find_answer(item.example.context, str(label))
    if isinstance(item.example, TokenExample):
        if not isinstance(label, list | tuple):
            raise ValueError("the tags must be a list with one tag per word")
        return [str(tag) for tag in label]
    if not isinstance(label, str):
        raise ValueError(f"label {label!r} is not a class name")
    return label


def _taken_reason(error: ItemTakenError, annotator: str) -> str:
    if error.reason == "claimed":
        return f"{error.by} is labeling it right now"
    if error.by == annotator:
        return "you had already handled it (the page had not caught up with your presses)"
    return f"{error.by} had already handled it"


def apply_press(
    store: ProjectStore,
    round_id: int,
    items: Sequence[AnnotationItem],
    press: Press,
    *,
    session: str,
    annotator: str,
) -> PressOutcome:
    """Carry out one press on the item it names, or refuse it with the reason.

    A label, skip or flag is saved only when its item belongs to the round, has no
    effective annotation and is not shown to another session; undo takes back this
    annotator's newest annotation and shows its item to this session again.
    """
    if press.action == "undo":
        undone = undo_last(store, annotator)
        if undone is None:
            return PressOutcome(press, refused="there was nothing of yours to undo")
        if any(item.example_key == undone.example_key for item in items):
            store.claim(undone.example_key, round_id, session=session, annotator=annotator)
        return PressOutcome(press, undone=undone)
    item = next((item for item in items if item.example_key == press.example_key), None)
    if item is None:
        return PressOutcome(press, refused="that sentence is not part of this round any more")
    try:
        if press.action == "label":
            saved = save_label(store, round_id, item, _label(item, press.label), annotator,
                               session=session, active_seconds=press.active_seconds)  # fmt: skip
        else:
            saved = mark(store, round_id, item, press.action, annotator, session=session,
                         active_seconds=press.active_seconds)  # fmt: skip
    except ItemTakenError as error:
        return PressOutcome(press, refused=f"“{excerpt(item)}”: {_taken_reason(error, annotator)}")
    except (InvalidAnnotationError, ValueError) as error:
        return PressOutcome(press, refused=f"“{excerpt(item)}”: {error}")
    return PressOutcome(press, saved=saved)
