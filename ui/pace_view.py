"""The Rounds page's time per label and gain per hour (tables from :mod:`service.team.pace`)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from service.team.pace import gain_per_hour, label_times, pace_table
from service.team.timing import idle_limit_s


def pace_section(store) -> None:
    """Labels per active hour per annotator and round; the score against annotation hours."""
    st.subheader("Time per label and gain per hour")
    times = label_times(store)  # one read for the three tables
    pace = pace_table(store, times=times)
    if pace.empty:
        st.caption("No labels yet.")
        return
    limit = idle_limit_s()
    st.caption(f"Active time: from a sentence's display to its label, each pause longer than "
               f"{limit:g} s counted as {limit:g} s.")  # fmt: skip
    columns = st.columns(2)
    with columns[0]:
        st.dataframe(pace, hide_index=True, key="pace_by_annotator")
    with columns[1]:
        st.dataframe(
            pace_table(store, by_round=True, times=times), hide_index=True, key="pace_by_round"
        )
    gain = gain_per_hour(store, times)
    signals = [c for c in ("test metric", "target_kappa", "target_changed") if c in gain]
    if signals and gain["hours"].max() > 0:
        long = gain.melt(id_vars=["round", "hours"], value_vars=signals, var_name="signal",
                         value_name="value").dropna()  # fmt: skip
        figure = px.line(long, x="hours", y="value", color="signal", markers=True,
                         hover_data=["round"])  # fmt: skip
        figure.update_layout(height=300, xaxis_title="active annotation hours before the round")
        st.plotly_chart(figure, key="gain_per_hour", width="stretch")
    st.download_button("Gain per hour (CSV)", gain.to_csv(index=False).encode("utf-8"),
                       file_name="gain-per-hour.csv", mime="text/csv")  # fmt: skip
