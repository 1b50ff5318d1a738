"""Rounds: learning curve, what each round picked, timings, and the DeMuX diagnostic."""

from __future__ import annotations

import html

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from service.label_free import stability_table, stopping_note
from service.projects import project_settings
from service.report import (
    DEMUX_SERIES,
    TWIN_SERIES,
    diagnostics,
    index_notes,
    learning_curve,
    metric_name,
    picks_by_language,
    rounds_table,
    stage_timings,
    twin_summary,
)
from service.round_control import Phase, rerun_round, round_state
from service.target_sample import DEFAULT_TEST_SAMPLE, draw_test_sample
from service.team.review import left_out_note
from service.twin import twin_reason
from storage import ProjectStore
from ui.common import error_box, page, project_store, round_worker
from ui.pace_view import pace_section

TWIN_PENDING_KEY = "_twin_pending"
# Okabe-Ito colours; the twin dashed and labelled below its points so the values never overlap
SERIES_STYLE = {DEMUX_SERIES: ("#0072B2", "solid", "top center"),
                TWIN_SERIES: ("#E69F00", "dash", "bottom center")}  # fmt: skip


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
    note = left_out_note(current)  # disagreements waiting for a reviewer
    if note is not None:
        st.warning(note, icon=":material/rate_review:")
    for note in index_notes(store):  # the pool index: a rebuild, new rows, approximate search
        st.info(note, icon=":material/database:")


def curve_figure(curve, name: str) -> go.Figure:
    """One line per series, values written on the points, 95 % intervals as error bars."""
    figure = go.Figure()
    for series, part in curve.groupby("series", sort=False):
        part = part.sort_values("n_labeled")
        error = None
        if part["low"].notna().all() and part["high"].notna().all():
            error = {"type": "data", "array": part["high"] - part["value"],
                     "arrayminus": part["value"] - part["low"], "visible": True}  # fmt: skip
        colour, dash, place = SERIES_STYLE.get(series, ("#999999", "dot", "top center"))
        figure.add_trace(go.Scatter(
            x=part["n_labeled"], y=part["value"], name=html.escape(str(series)),
            mode="lines+markers+text", text=[f"{v:.2f}" for v in part["value"]],
            textposition=place, error_y=error, line={"color": colour, "dash": dash},
            marker={"color": colour},
        ))  # fmt: skip
    figure.update_layout(
        height=380, xaxis_title="labeled source points", yaxis_title=f"test {name}"
    )
    figure.update_xaxes(tickmode="array", tickvals=sorted(curve["n_labeled"].unique()))
    if curve["value"].between(0.0, 1.0).all():  # accuracy / F1: the whole scale
        figure.update_yaxes(range=[0.0, 1.05])
    return figure


def curve_section(store: ProjectStore) -> None:
    curve = learning_curve(store)
    st.subheader("Learning curve")
    if curve.empty:
        st.caption("No test metric yet (the project needs a labeled test pool and a finished "
                   "round).")  # fmt: skip
        sample_form(store)
        return
    name = metric_name(store)
    st.plotly_chart(curve_figure(curve, name), key="learning_curve", width="stretch")
    summary = twin_summary(curve, name)
    if summary is not None:
        st.markdown(html.escape(summary))
    reason = twin_reason(store)
    if reason is not None:
        st.caption(f"No random twin: {reason}.")
    else:  # only a project that can have a twin polls for it
        twin_status()
    sample_form(store)  # a project without a test pool can draw one


@st.fragment(run_every=3)
def twin_status() -> None:
    """Says when the random twin is still training (and refreshes the page when it is done)."""
    with project_store() as store:
        if store is None:
            return
        pending = round_worker().background_pending(store.path)
    if pending:
        st.session_state[TWIN_PENDING_KEY] = True
        st.caption("The random twin of the latest round is training in the background, at "
                   "lower priority (it stops whenever a round is queued, so it never delays "
                   "the next picks); its point appears here when it is done.")  # fmt: skip
    elif st.session_state.pop(TWIN_PENDING_KEY, False):
        st.rerun()  # the twin just finished: redraw the curve with its point


def sample_form(store: ProjectStore) -> None:
    """Without a test pool: draw a random sample of the target pool to label as one."""
    if store.pool_size("test"):
        return
    with st.form("draw_test_sample"):
        st.markdown("**A test set for the target language**: draw a random sample of the "
                    "target pool for annotators who know the language to label (Annotate page, "
                    "*the target test sample*). It is used only to measure the model, never to "
                    "train it, and the curve above uses it from the next round on.")  # fmt: skip
        size = st.number_input("Sample size", min_value=1, value=DEFAULT_TEST_SAMPLE, step=10)
        if st.form_submit_button("Draw the target test sample"):
            try:
                drawn = draw_test_sample(store, int(size), seed=project_settings(store).seed)
            except ValueError as error:
                error_box("Could not draw the sample", str(error))
                return
            st.success(f"Drew {drawn} target sentences: label them on the Annotate page.")


def stability_section(store: ProjectStore) -> None:
    """Label-free progress: agreement with the round before, predictions changed, mean margin."""
    st.subheader("Progress without a test set")
    table = stability_table(store)
    if table.empty:
        st.caption("Not measured yet (each round compares its target predictions with the "
                   "round before).")  # fmt: skip
        return
    st.caption("Computed on the unlabeled target pool: Cohen's kappa of each round's target "
               "predictions with the round before (1 = nothing changed), the share of target "
               "predictions that changed, and the target pool's mean margin (lower = less "
               "sure).")  # fmt: skip
    long = table.melt(id_vars="round", var_name="signal", value_name="value").dropna()
    figure = px.line(long, x="round", y="value", color="signal", markers=True)
    figure.update_layout(height=300)
    figure.update_xaxes(tickmode="array", tickvals=sorted(long["round"].unique()))
    st.plotly_chart(figure, key="stability", width="stretch")
    note = stopping_note(store, table)
    if note is not None:
        st.markdown(html.escape(note))


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
        stability_section(store)
        columns = st.columns(2)
        with columns[0]:
            picks_section(store)
        with columns[1]:
            timing_section(store)
        diagnostic_section(store)
        pace_section(store)
        st.subheader("All rounds")
        st.dataframe(rounds_table(store), hide_index=True)


main()
