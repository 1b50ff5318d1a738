"""What the Review page draws for one item: its text, both annotations side by side, and the
controls that record a decision (queued by callbacks, saved by the page's next run)."""

from __future__ import annotations

import html
import uuid
from typing import Any

import streamlit as st

from demux_core.data.examples import Example, QAExample, TokenExample
from service.bio import OUTSIDE
from service.team.review import ReviewItem, label_text
from service.text import text_direction
from service.typed_labels import NO_ANSWER, find_answer, parse_tags

DECISIONS_KEY = "_review_decisions"
NOTICES_KEY = "_review_notices"


def queue_decision(example_key: int, label: Any, leave_out: bool = False) -> None:
    """A button's callback: keep the decision for the item it was drawn with."""
    st.session_state.setdefault(DECISIONS_KEY, []).append(
        {"nonce": uuid.uuid4().hex, "key": example_key, "label": label, "leave_out": leave_out})  # fmt: skip


def notice(text: str) -> None:
    st.session_state.setdefault(NOTICES_KEY, []).append(text)


def _block(text: str, caption: str | None = None) -> None:
    """One text as stored: escaped, in its own direction."""
    head = (
        f'<div style="opacity:.7;font-size:.85rem">{html.escape(caption)}</div>' if caption else ""
    )
    st.html(f'{head}<div class="demux-review-text" dir="{text_direction(text)}" '
            f'style="font-size:1.15rem;padding:.3rem 0">{html.escape(text)}</div>')  # fmt: skip


def show_text(example: Example) -> None:
    """The item's text: sentence (and pair), the words of a token item, or question and
    context."""
    if isinstance(example, TokenExample):
        _block(" ".join(example.tokens))
    elif isinstance(example, QAExample):
        _block(example.question, "Question")
        _block(example.context, "Context")
    else:
        _block(example.text)
        if example.text_pair is not None:
            _block(example.text_pair)


def side_by_side(item: ReviewItem) -> None:
    """Each annotation in its column, with a button that takes it as the decision."""
    columns = st.columns(max(len(item.annotations), 1))
    for column, annotation in zip(columns, item.annotations, strict=False):
        with column:
            which = "first" if annotation.slot == "first" else "second"
            st.html(f'<div class="demux-review-label"><div style="opacity:.7">{which} label, by '
                    f"<b>{html.escape(annotation.annotator)}</b></div>"
                    f'<div style="font-size:1.1rem">{html.escape(label_text(item.example, annotation))}'
                    "</div></div>")  # fmt: skip
            if annotation.kind == "label":
                st.button(f"Use {annotation.annotator}'s label", key=f"use_{annotation.id}",
                          on_click=queue_decision, args=(item.example_key, annotation.labels))  # fmt: skip


def correction(item: ReviewItem, labels: tuple[str, ...]) -> None:
    """A label of the reviewer's own, and leaving the item out of training."""
    example, key = item.example, item.example_key
    st.markdown("**Or decide otherwise**")
    if isinstance(example, TokenExample):
        start = next((a.labels for a in item.annotations if a.kind == "label"), None)
        text_key = f"review_tags_{key}"
        st.text_input("Tags, one per word", key=text_key,
                      value=" ".join(start or (OUTSIDE,) * len(example.tokens)))  # fmt: skip
        st.button("Save these tags", key=f"review_typed_{key}", on_click=_queue_tags,
                  args=(key, text_key, len(example.tokens), labels))  # fmt: skip
    elif isinstance(example, QAExample):
        text_key = f"review_answer_{key}"
        st.text_input("Answer, copied from the context (empty: no answer)", key=text_key)
        st.button("Save this answer", key=f"review_answer_save_{key}", on_click=_queue_answer,
                  args=(example, key, text_key))  # fmt: skip
    else:
        choice_key = f"review_class_{key}"
        st.selectbox("Label", labels, key=choice_key)
        st.button("Save this label", key=f"review_class_save_{key}", on_click=_queue_choice,
                  args=(key, choice_key))  # fmt: skip
    st.button("Leave it out of training", key=f"review_leave_{key}", on_click=queue_decision,
              args=(key, None, True))  # fmt: skip


def _queue_tags(key: int, text_key: str, n_words: int, labels: tuple[str, ...]) -> None:
    try:
        tags = parse_tags(st.session_state.get(text_key, ""), n_words, labels)
    except ValueError as error:
        notice(f"not saved: {error}")
        return
    queue_decision(key, list(tags))


def _queue_answer(example: QAExample, key: int, text_key: str) -> None:
    text = st.session_state.get(text_key, "").strip()
    try:
        queue_decision(key, list(find_answer(example.context, text)) if text else list(NO_ANSWER))
    except ValueError as error:
        notice(f"not saved: {error}")


def _queue_choice(key: int, choice_key: str) -> None:
    queue_decision(key, st.session_state.get(choice_key))
