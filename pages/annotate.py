"""Annotate: the current round's selected source points, one at a time, in rank order."""

from __future__ import annotations

import html

import streamlit as st

from demux_core.examples import QAExample, TaskType, TokenExample
from pages.common import annotator_name, error_box, project_store, require_project, round_worker
from pages.widgets.token_tagger import token_tagger
from service.annotation import (
    NO_ANSWER,
    AnnotationItem,
    find_answer,
    mark,
    next_unhandled,
    parse_tags,
    round_items,
    round_progress,
    save_label,
    undo_last,
)
from service.bio import entity_types, is_bio_schema
from service.projects import project_settings
from service.round_control import Phase, rerun_round, round_state, start_next_round
from service.text import escaped_block, markdown_literal, text_direction
from storage import InvalidAnnotationError, ProjectStore, Round

SHORTCUTS = "Digits: labels · Enter: accept · S: skip · U: undo · F: flag"
TOKEN_SHORTCUTS = "Click a word, shift-click (or drag to) another to select a span · " + SHORTCUTS
LABEL_COLUMNS = 4


def item_header(item: AnnotationItem, total: int) -> None:
    """Language, rank, uncertainty and distance of the shown item (escaped)."""

    def number(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    st.html(
        '<div class="demux-meta" style="display:flex;gap:1.5rem;opacity:.85">'
        f"<span>language <b>{html.escape(item.example.language)}</b></span>"
        f"<span>rank <b>{item.rank + 1}</b> of {total}</span>"
        f"<span>uncertainty <b>{number(item.uncertainty)}</b></span>"
        f"<span>distance to target <b>{number(item.distance)}</b></span></div>"
    )


def _save(store: ProjectStore, current: Round, item: AnnotationItem, label: object) -> None:
    try:
        save_label(store, current.id, item, label, annotator_name())
    except (InvalidAnnotationError, ValueError) as error:
        error_box("That label was not saved", str(error))
        return
    st.rerun()


def sequence_controls(store: ProjectStore, current: Round, item: AnnotationItem) -> None:
    """One button (and digit key) per class; the model's suggestion is highlighted."""
    example = item.example
    st.html(escaped_block(example.text))
    if example.text_pair is not None:
        st.html(escaped_block(example.text_pair))
    labels = store.info().labels
    columns = st.columns(min(len(labels), LABEL_COLUMNS) or 1)  # wide enough for the names
    for index, label in enumerate(labels):
        suggested = label == item.suggestion
        caption = markdown_literal(label) + (" (model)" if suggested else "")
        shortcut = str(index + 1) if index < 9 else None
        column = columns[index % len(columns)]
        if column.button(caption, key=f"label_{index}", type="primary" if suggested else "secondary",
                         shortcut=shortcut, width="stretch"):  # fmt: skip
            _save(store, current, item, label)
    if item.suggestion is not None and st.button(
        f"Accept model suggestion ({markdown_literal(str(item.suggestion))})",
        key="accept",
        shortcut="Enter",
    ):
        _save(store, current, item, item.suggestion)


def token_controls(store: ProjectStore, current: Round, item: AnnotationItem) -> None:
    """The span tagger, plus a typed-tags fallback."""
    example = item.example
    assert isinstance(example, TokenExample)
    schema = store.info().labels
    tags = list(item.suggestion or ("O",) * len(example.tokens))
    submitted = token_tagger(
        example_id=str(item.example_key), tokens=example.tokens, tags=tags,
        labels=entity_types(schema), bio=is_bio_schema(schema),
        direction=text_direction(" ".join(example.tokens)), key="tagger",
    )  # fmt: skip
    if submitted is not None:
        _save(store, current, item, submitted)
    with st.expander("Type the tags instead"):
        typed = st.text_input(
            "Tags, one per token", value=" ".join(tags), key=f"typed_{item.example_key}"
        )
        if st.button("Save typed tags", key="save_typed"):
            try:
                parsed = parse_tags(typed, len(example.tokens), schema)
            except ValueError as error:
                error_box("Those tags were not saved", str(error))
                return
            _save(store, current, item, parsed)


def qa_controls(store: ProjectStore, current: Round, item: AnnotationItem) -> None:
    """Question and context; the answer is copied from the context, or 'no answer'."""
    example = item.example
    assert isinstance(example, QAExample)
    st.markdown("**Question**")
    st.html(escaped_block(example.question))
    st.markdown("**Context**")
    st.html(escaped_block(example.context))
    suggested = item.suggestion[1] if item.suggestion and item.suggestion[0] >= 0 else ""
    answer = st.text_input("Answer (copy the span from the context)", value=suggested,
                           key=f"answer_{item.example_key}")  # fmt: skip
    columns = st.columns(2)
    if columns[0].button("Save answer", key="save_answer", shortcut="Enter", type="primary"):
        try:
            span = find_answer(example.context, answer)
        except ValueError as error:
            error_box("That answer was not saved", str(error))
            return
        _save(store, current, item, span)
    if columns[1].button("No answer", key="no_answer", shortcut="0"):
        _save(store, current, item, NO_ANSWER)


def common_actions(store: ProjectStore, current: Round, item: AnnotationItem | None) -> None:
    """Skip, flag, undo."""
    columns = st.columns(3)
    if item is not None and columns[0].button(
        "Skip", key="skip", shortcut="S", icon=":material/skip_next:"
    ):
        mark(store, current.id, item, "skip", annotator_name())
        st.rerun()
    if item is not None and columns[1].button(
        "Flag", key="flag", shortcut="F", icon=":material/flag:"
    ):
        mark(store, current.id, item, "flag", annotator_name())
        st.rerun()
    if columns[2].button("Undo", key="undo", shortcut="U", icon=":material/undo:"):
        undone = undo_last(store, annotator_name())
        if undone is None:
            st.toast("Nothing to undo")
        st.rerun()


def finish_button(store: ProjectStore, labeled: int) -> None:
    if st.button(f"Finish round and train on the labels ({labeled} new)", key="finish",
                 icon=":material/model_training:"):  # fmt: skip
        start_next_round(store, round_worker())
        st.rerun()


def annotate_round(store: ProjectStore, current: Round, can_finish: bool) -> None:
    """Progress, the next unhandled item with its label controls, and the round actions."""
    items = round_items(store, current.id)
    progress = round_progress(items)
    st.progress(progress.handled / max(progress.total, 1),
                text=f"{progress.labeled} of {progress.total} labeled this round "
                     f"({progress.skipped} skipped, {progress.flagged} flagged)")  # fmt: skip
    item = next_unhandled(items)
    if item is None:
        st.success(f"All {progress.total} points of round {current.number} are handled.")
        if can_finish and project_settings(store).auto_finish:
            start_next_round(store, round_worker())
            st.rerun()
    else:
        item_header(item, progress.total)
        task = store.info().task
        if task == TaskType.TOKEN:
            token_controls(store, current, item)
        elif task == TaskType.QA:
            qa_controls(store, current, item)
        else:
            sequence_controls(store, current, item)
    common_actions(store, current, item)
    st.caption(TOKEN_SHORTCUTS if store.info().task == TaskType.TOKEN else SHORTCUTS)
    if can_finish:
        finish_button(store, progress.labeled)


def previous_annotating_round(store: ProjectStore, current: Round) -> Round | None:
    """The round before ``current`` (its points can be labelled while ``current`` runs)."""
    earlier = [r for r in store.rounds() if r.number < current.number and r.status == "done"]
    return earlier[-1] if earlier else None


def main() -> None:
    st.title("Annotate")
    if require_project() is None:
        return
    with project_store() as store:
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
        elif state.phase == Phase.RUNNING:
            st.info(f"Round {current.number} is running ({current.stage}); the sidebar shows its "
                    "progress. You can keep labeling the previous round meanwhile.")  # fmt: skip
            previous = previous_annotating_round(store, current)
            if previous is not None:
                annotate_round(store, previous, can_finish=False)
        elif state.phase == Phase.ANNOTATING:
            st.subheader(f"Round {current.number}")
            annotate_round(store, current, can_finish=True)


main()
