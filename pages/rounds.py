"""Rounds: learning curve, what each round picked, timings, and the DeMuX diagnostic."""

from __future__ import annotations

import html

import plotly.express as px
import streamlit as st

from service.report import (
    diagnostics,
    index_notes,
    learning_curve,
    metric_name,
    picks_by_language,
    rounds_table,
    stage_timings,
)
from service.round_control import Phase, rerun_round, round_state
from storage import ProjectStore
from ui.common import error_box, page, round_worker


def status_section(store: ProjectStore) -> None:
    """The latest round's state, with retry / resume where it needs one."""
    state = round_state(store, round_worker())
    current = state.round
    if state.phase == Phase.FAILED:
        error_box(f"Round {current.number} failed", current.error or "no error text stored")
        if st.button(f"Retry round {current.number}", key="retry_rounds_page"):
            rerun_round(store, round_worker(), current.id)
            st.rerun()
    elif state.phase == Phase.INTERRUPTED:
        st.warning(f"Round {current.number} was interrupted at stage {current.stage}.")
        if st.button(f"Resume round {current.number}", key="resume_rounds_page"):
            rerun_round(store, round_worker(), current.id)
            st.rerun()
    for note in index_notes(store):  # the pool index: a rebuild, new rows, approximate search
        st.info(note, icon=":material/database:")


def curve_section(store: ProjectStore) -> None:
    curve = learning_curve(store)
    st.subheader("Learning curve")
    if curve.empty:
        st.caption("No test metric yet (the project needs a test pool and a finished round).")
        return
    name = metric_name(store)
    figure = px.line(curve, x="n_labeled", y="value", color="series", markers=True,
                     labels={"n_labeled": "labeled source points", "value": f"test {name}"})  # fmt: skip
    figure.update_layout(height=360)
    figure.update_xaxes(tickmode="array", tickvals=sorted(curve["n_labeled"].unique()))
    if curve["value"].between(0.0, 1.0).all():  # accuracy / F1: the whole scale
        figure.update_yaxes(range=[0.0, 1.02])
    st.plotly_chart(figure, key="learning_curve", width="stretch")
    if curve["series"].nunique() == 1:
        st.caption("No random-selection baseline stored for this project.")


def stacked_bars(frame, *, y: str, color: str, key: str, empty: str, height: int) -> None:
    """A per-round stacked bar chart, or ``empty`` when there is nothing to draw yet."""
    if frame.empty:
        st.caption(empty)
        return
    figure = px.bar(frame, x="round", y=y, color=color, barmode="stack")
    figure.update_layout(height=height)
    st.plotly_chart(figure, key=key, width="stretch")


def picks_section(store: ProjectStore) -> None:
    st.subheader("What each round picked, by language")
    picks = picks_by_language(store)
    if not picks.empty:
        picks = picks.assign(language=picks["language"].map(html.escape))
    stacked_bars(
        picks, y="count", color="language", key="picks", empty="No selection yet.", height=320
    )


def timing_section(store: ProjectStore) -> None:
    st.subheader("Time per stage")
    stacked_bars(
        stage_timings(store),
        y="seconds",
        color="stage",
        key="timings",
        empty="No timings yet.",
        height=300,
    )


def diagnostic_section(store: ProjectStore) -> None:
    table = diagnostics(store)
    st.subheader("Neighbourhood uncertainty (Pearson's rho)")
    st.caption("Correlation of a target point's uncertainty with its nearest source points' "
               "mean uncertainty; DeMuX assumes it is high (the paper reports > 0.7).")  # fmt: skip
    if table.empty:
        st.caption("Not computed yet.")
        return
    st.dataframe(table, hide_index=True)


def main() -> None:
    with page("Rounds") as store:
        if store is None:
            return
        status_section(store)
        curve_section(store)
        columns = st.columns(2)
        with columns[0]:
            picks_section(store)
        with columns[1]:
            timing_section(store)
        diagnostic_section(store)
        st.subheader("All rounds")
        st.dataframe(rounds_table(store), hide_index=True)


main()
