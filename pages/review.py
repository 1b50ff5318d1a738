"""Review: items whose two annotators disagree, and flagged items, one at a time; the
reviewer takes one annotation, gives their own label, or leaves the item out of training."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from service.presses import example_excerpt
from service.team.review import ReviewItem, decide, label_text, review_queue, undo_decision
from storage import InvalidAnnotationError, ItemTakenError, ProjectStore
from ui.common import annotator_name, page
from ui.review_view import DECISIONS_KEY, NOTICES_KEY, correction, notice, show_text, side_by_side


def apply_decisions(store: ProjectStore, reviewer: str) -> None:
    """Save the decisions the buttons queued, each on the item it was drawn with."""
    decisions = st.session_state.setdefault(DECISIONS_KEY, [])
    while decisions:
        decision = decisions[0]
        queue = {item.example_key: item for item in review_queue(store)}
        item = queue.get(decision["key"])
        if item is None:
            notice("that item no longer waits for review (another reviewer decided it)")
        else:
            try:
                decide(store, item, decision["label"], reviewer, leave_out=decision["leave_out"])
            except (ItemTakenError, InvalidAnnotationError, ValueError) as error:
                notice(f"not saved: {error}")
        decisions.pop(0)


def queue_table(queue: list[ReviewItem]) -> pd.DataFrame:
    """The waiting items as plain text (shown by st.dataframe, never as HTML)."""
    return pd.DataFrame([{"sentence": example_excerpt(item.example), "why": item.reason,
                          "labels": " | ".join(f"{a.annotator}: {label_text(item.example, a)}"
                                               for a in item.annotations)}
                         for item in queue], columns=["sentence", "why", "labels"])  # fmt: skip


def main() -> None:
    with page("Review", action="review") as store:
        if store is None:
            return
        reviewer = annotator_name()
        if reviewer is None:
            st.info("Type your name in the sidebar first: it is stored with every decision.")
            return
        apply_decisions(store, reviewer)
        for text in st.session_state.pop(NOTICES_KEY, []):
            st.html(f'<div role="alert" style="color:#8a4b00;background:#fff4e0;padding:.4rem '
                    f'.6rem;border-radius:.4rem">{html.escape(text)}</div>')  # fmt: skip
        queue = review_queue(store)
        if st.button("Undo my last decision", key="review_undo", icon=":material/undo:"):
            if undo_decision(store, reviewer) is None:
                st.caption("Nothing of yours to undo.")
            else:
                st.rerun()
        if not queue:
            st.success("Nothing waits for review: every overlap item agrees or was decided, "
                       "and no item is flagged.")  # fmt: skip
            return
        disagreements = sum(item.reason == "disagreement" for item in queue)
        st.caption(f"{len(queue)} item(s) wait: {disagreements} disagreement(s), "
                   f"{len(queue) - disagreements} flagged. Until decided, a disagreement is "
                   "left out of training.")  # fmt: skip
        item = queue[0]
        st.subheader("Disagreement" if item.reason == "disagreement" else "Flagged")
        show_text(item.example)
        side_by_side(item)
        correction(item, store.info().labels)
        st.subheader("Waiting")
        st.dataframe(queue_table(queue), hide_index=True)


main()
