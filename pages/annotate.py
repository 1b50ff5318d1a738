"""Annotate: the current round's selected source points, one at a time, in rank order.

Each browser session is served its own item; every press carries the key of the item the
browser showed (:mod:`service.presses`), and a press that cannot be saved says why.
"""

from __future__ import annotations

import dataclasses
import html
import time
import uuid

import streamlit as st

from demux_core.data.examples import QAExample, TaskType, TokenExample
from service.annotation import AnnotationItem, round_items, round_progress
from service.bio import entity_types, is_bio_schema
from service.presses import Press, apply_press, held_by_others, serve_item
from service.projects import project_settings
from service.round_control import Phase, rerun_round, round_state, start_next_round
from service.text import text_direction
from service.typed_labels import parse_tags
from storage import ProjectStore, Round
from ui.common import (
    ANNOTATOR_KEY,
    annotation_session,
    annotator_name,
    error_box,
    page,
    round_worker,
)
from ui.round_view import item_header, round_done, show_guesses
from ui.sample_view import sample_controls, sample_mode
from ui.widgets.label_pad import label_pad
from ui.widgets.presses import handled_nonces, pending_presses
from ui.widgets.token_tagger import token_tagger

SHORTCUTS = "Digits: labels · Enter: accept the model's guess · S: skip · F: flag · U: undo"
TOKEN_SHORTCUTS = "Click a word, shift-click (or drag to) another to select a span · " + (
    "digits: entity type · 0: clear · Enter: save · S: skip · F: flag · U: undo"
)
PAD_KEY = "label_pad"
TAGGER_KEY = "tagger"
TYPED_KEY = "_typed_presses"
NOTICES_KEY = "_press_notices"
NOTICE_SECONDS = 30.0


def _queue_typed(example_key: int, text_key: str, n_tokens: int, schema: tuple[str, ...]) -> None:
    """The typed-tags button's callback: queue a press for the sentence it was drawn with."""
    try:
        tags = list(parse_tags(st.session_state.get(text_key, ""), n_tokens, schema))
    except ValueError as error:
        _notice(f"those tags were not saved: {error}")
        return
    press = {"nonce": uuid.uuid4().hex, "action": "label", "example_id": example_key,
             "label": tags}  # fmt: skip
    st.session_state.setdefault(TYPED_KEY, []).append(press)


def _notice(reason: str) -> None:
    st.session_state.setdefault(NOTICES_KEY, []).append((time.time(), reason))


def handle_presses(store: ProjectStore, current: Round, items: list[AnnotationItem]) -> bool:
    """Carry out every press not handled yet, oldest first; returns whether any arrived.

    Everything read from session state is read before the first press is carried out, and
    each press is marked handled (and its refusal noted) in plain lists session state holds:
    Streamlit may stop a run at any session-state access when a newer widget value arrives,
    and a press saved but not marked would be carried out again and refused as handled.
    """
    session, annotator = annotation_session(), annotator_name()
    notices = st.session_state.setdefault(NOTICES_KEY, [])
    typed = st.session_state.setdefault(TYPED_KEY, [])
    queues = [(pending_presses(key), handled_nonces(key)) for key in (PAD_KEY, TAGGER_KEY)]
    arrived = False

    def carry_out(raw) -> None:
        try:
            press = Press.from_payload(raw)
        except ValueError as error:
            notices.append((time.time(), f"a press was not understood: {error}"))
            return
        outcome = apply_press(store, current.id, items, press, session=session,
                              annotator=annotator)  # fmt: skip
        if outcome.refused is not None:
            notices.append((time.time(), outcome.refused))

    for raws, handled in queues:
        for raw in raws:
            carry_out(raw)
            handled.append(str(raw.get("nonce")))
            arrived = True
    while typed:
        carry_out(typed[0])
        typed.pop(0)
        arrived = True
    return arrived


def show_notices() -> None:
    """Presses refused lately (plain text), and how many this session had refused.

    Always one container, so that the elements after it keep their place (a widget that
    moved would briefly show twice while the page updates)."""
    with st.container():
        _notices()


def _notices() -> None:
    notices = st.session_state.get(NOTICES_KEY, [])
    recent = [text for at, text in notices if time.time() - at < NOTICE_SECONDS][-3:]
    for text in recent:
        st.html(f'<div class="demux-refused" role="alert" style="color:#8a4b00;background:#fff4e0;'
                f'padding:.4rem .6rem;border-radius:.4rem">Not saved: {html.escape(text)}</div>')  # fmt: skip
    if notices:
        st.caption(
            f"{len(notices)} press(es) not saved in this session (reasons above while recent)"
        )


def shown_text(text: str, caption: str | None = None) -> dict:
    """One text block of the label pad: the text as stored, its direction, a caption."""
    return {"text": text, "dir": text_direction(text), "caption": caption}


def sequence_controls(store: ProjectStore, item: AnnotationItem) -> None:
    """The label pad, showing the sentence (and its pair) with its buttons: the text and the
    key every press carries change together."""
    example = item.example
    texts = [shown_text(example.text)]
    if example.text_pair is not None:
        texts.append(shown_text(example.text_pair))
    label_pad(key=PAD_KEY, example_id=item.example_key, texts=texts,
              classes=store.info().labels, suggestion=item.suggestion)  # fmt: skip


def qa_controls(item: AnnotationItem) -> None:
    """Question and context; the answer is copied from the context, or 'no answer'."""
    example = item.example
    assert isinstance(example, QAExample)
    texts = [shown_text(example.question, "Question"), shown_text(example.context, "Context")]
    suggested = item.suggestion[1] if item.suggestion and item.suggestion[0] >= 0 else ""
    label_pad(key=PAD_KEY, example_id=item.example_key, texts=texts, qa_answer=suggested)


def token_controls(store: ProjectStore, item: AnnotationItem) -> None:
    """The span tagger, plus a typed-tags fallback."""
    example = item.example
    assert isinstance(example, TokenExample)
    schema = store.info().labels
    tags = list(item.suggestion or ("O",) * len(example.tokens))
    token_tagger(
        example_id=item.example_key, tokens=example.tokens, tags=tags,
        labels=entity_types(schema), bio=is_bio_schema(schema),
        direction=text_direction(" ".join(example.tokens)), key=TAGGER_KEY,
        suggested=item.suggestion is not None,
    )  # fmt: skip
    with st.expander("Type the tags instead"):
        text_key = f"typed_{item.example_key}"
        st.text_input("Tags, one per token", value=" ".join(tags), key=text_key)
        st.button("Save typed tags", key=f"save_typed_{item.example_key}", on_click=_queue_typed,
                  args=(item.example_key, text_key, len(example.tokens), schema))  # fmt: skip


def nothing_to_show(store: ProjectStore, current: Round, items: list[AnnotationItem],
                    can_finish: bool) -> None:  # fmt: skip
    """No item for this session: the round is done, or the rest is shown to others."""
    progress = round_progress(items)
    others = held_by_others(store, current.id, items, annotation_session())
    if progress.complete:
        if can_finish and project_settings(store).auto_finish:
            start_next_round(store, round_worker())
            st.rerun()
        st.success(f"All {progress.total} points of round {current.number} are handled.")
    elif progress.handled == progress.total and not others:
        waiting = progress.seconds_needed - progress.seconds
        st.info(f"All {progress.total} points of round {current.number} are handled; "
                f"{waiting} of them wait for a second label from another annotator (the "
                "overlap that measures agreement; you labeled them first).")  # fmt: skip
    else:
        names = ", ".join(sorted(set(others.values())))
        st.info(f"The {len(others)} remaining point(s) of this round are being labeled by "
                f"others right now ({names}). A point nobody finishes within 10 minutes comes "
                "back to the queue.")  # fmt: skip
    label_pad(key=PAD_KEY, example_id=None)  # Undo stays available


def annotate_round(store: ProjectStore, current: Round, can_finish: bool) -> None:
    """Presses first, then progress, this session's item with its controls, the round actions."""
    items = round_items(store, current.id)
    if handle_presses(store, current, items):
        items = round_items(store, current.id)
    progress = round_progress(items)
    # filled after the controls: when the count moves on screen, the next sentence is there too
    progress_slot = st.empty()
    show_notices()
    item = serve_item(store, current.id, items, session=annotation_session(),
                      annotator=annotator_name())  # fmt: skip
    task = store.info().task
    if item is None and progress.complete and not can_finish:
        round_done(current, progress)  # the next round is training: one clear message
        label_pad(key=PAD_KEY, example_id=None)  # Undo stays available
        return
    if item is None:
        nothing_to_show(store, current, items, can_finish)
    else:
        if not show_guesses(current):
            item = dataclasses.replace(item, suggestion=None)
        item_header(item, progress.total)
        if task == TaskType.TOKEN:
            token_controls(store, item)
        elif task == TaskType.QA:
            qa_controls(item)
        else:
            sequence_controls(store, item)
    progress_slot.progress(progress.handled / max(progress.total, 1), text=progress.summary)
    st.caption(TOKEN_SHORTCUTS if task == TaskType.TOKEN else SHORTCUTS)
    if can_finish:
        finish_button(store, progress.labeled)


def finish_button(store: ProjectStore, labeled: int) -> None:
    if st.button(f"Finish round and train on the labels ({labeled} new)", key="finish",
                 icon=":material/model_training:"):  # fmt: skip
        start_next_round(store, round_worker())
        st.rerun()


def previous_annotating_round(store: ProjectStore, current: Round) -> Round | None:
    """The round before ``current`` (its points can be labelled while ``current`` runs)."""
    earlier = [r for r in store.rounds() if r.number < current.number and r.status == "done"]
    return earlier[-1] if earlier else None


def ask_name() -> None:
    """Labels carry their author: no labeling before a name is given."""
    st.info("Type your name first: it is stored with every label you save, and Undo takes "
            "back only your own labels.")  # fmt: skip
    st.text_input("Your name", key=f"{ANNOTATOR_KEY}_prompt", on_change=_take_prompted_name)


def _take_prompted_name() -> None:
    st.session_state[ANNOTATOR_KEY] = st.session_state.get(f"{ANNOTATOR_KEY}_prompt", "")


def main() -> None:
    with page("Annotate") as store:
        if store is None:
            return
        state = round_state(store, round_worker())
        current = state.round
        if state.phase == Phase.NO_ROUND:
            st.info("No round yet: the first round scores both pools and selects what to label.")
            if st.button("Start round 1", type="primary", key="start_first"):
                start_next_round(store, round_worker())
                st.rerun()
        elif state.phase == Phase.FAILED:
            error_box(f"Round {current.number} failed", current.error or "no error text stored")
            if st.button(f"Retry round {current.number}", key="retry", type="primary"):
                rerun_round(store, round_worker(), current.id)
                st.rerun()
        elif state.phase == Phase.INTERRUPTED:
            st.warning(f"Round {current.number} was interrupted (the app stopped while it ran, "
                       f"at stage {current.stage}). No annotation was lost.")  # fmt: skip
            if st.button(f"Resume round {current.number}", key="resume", type="primary"):
                rerun_round(store, round_worker(), current.id)
                st.rerun()
        elif annotator_name() is None:
            ask_name()
        elif state.phase == Phase.RUNNING:
            previous = previous_annotating_round(store, current)
            if previous is None:
                st.info(f"Round {current.number} is running ({current.stage}): it scores the "
                        "pools and picks the first sentences to label, which appear here by "
                        "themselves (the sidebar shows its progress).")  # fmt: skip
                return
            # one element above the controls in every phase, so that they keep their place
            # when the phase changes (a moved widget would briefly show twice)
            with st.container():
                if round_progress(round_items(store, previous.id)).unhandled:
                    st.info(f"Round {current.number} is running ({current.stage}); the sidebar "
                            f"shows its progress. You can keep labeling round {previous.number} "
                            "meanwhile.")  # fmt: skip
            round_controls(store, previous, can_finish=False)
        elif state.phase == Phase.ANNOTATING:
            with st.container():
                st.subheader(f"Round {current.number}")
                if current.config.get("strategy_reason"):  # which strategy picked, and why
                    st.caption("Picked by " + current.config["strategy_reason"] + ".")
            round_controls(store, current, can_finish=True)


def round_controls(store: ProjectStore, shown: Round, can_finish: bool) -> None:
    """The round's picks, or the target test sample when this session chose it."""
    choice = sample_mode(store)
    if choice is not None and choice.chosen:
        sample_controls(store)
    else:
        annotate_round(store, shown, can_finish=can_finish)
    if choice is not None:
        choice.show_count()


main()
