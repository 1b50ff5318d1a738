"""Map: the UMAP projection of the target and source pools, and a target point's neighbours."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from service.mapview import (
    HOVER_CHARS,
    map_frame,
    projected_model_versions,
    target_neighbours,
    version_names,
)
from service.projects import project_settings
from ui.common import MARGIN_HELP, page

COLOR_BY = {
    "pool": "pool",
    "language": "language",
    "margin (lower = less sure)": "uncertainty",
    "round picked": "round_picked",
}
MARGIN = "margin (lower = less sure)"
# Colour-blind-safe (Okabe-Ito) colours and distinct shapes for the two pools and the marks
POOL_STYLE = {"source": ("#0072B2", "circle", 6), "target": ("#E69F00", "diamond", 9)}
CHOSEN_STYLE = {"size": 18, "symbol": "star", "color": "#000000",
                "line": {"width": 2, "color": "#FFFFFF"}}  # fmt: skip
NEIGHBOUR_STYLE = {"size": 15, "symbol": "circle-open", "color": "#D55E00",
                   "line": {"width": 3, "color": "#D55E00"}}  # fmt: skip
APPROXIMATE = ("The layout is a 2-D projection (UMAP) of the sentence vectors: nearby points are "
               "similar, but 2-D distances are approximate, so a target's nearest neighbours (in "
               "the full vector space) can lie apart here.")  # fmt: skip


@st.cache_data(max_entries=8, show_spinner="Loading the map...")
def cached_map_frame(project_file: str, model_version: str, updated_at: str) -> pd.DataFrame:
    """The map rows of one model version (``updated_at`` invalidates on new picks)."""
    from service.projects import open_store

    store = open_store(project_file)
    try:
        return map_frame(store, model_version)
    finally:
        store.close()


def hover_text(frame: pd.DataFrame) -> list[str]:
    """Escaped, shortened hover labels (plotly renders hover text as HTML)."""
    return [
        f"{html.escape(language)} · {pool} #{position}<br>{html.escape(text[:HOVER_CHARS])}"
        for language, pool, position, text in zip(
            frame["language"], frame["pool"], frame["position"], frame["text"], strict=True
        )
    ]


def scatter(frame: pd.DataFrame, color_by: str, highlight: pd.DataFrame | None) -> go.Figure:
    """One scattergl trace per category (or one continuous trace), target points as diamonds."""
    figure = go.Figure()
    column = COLOR_BY[color_by]
    if column == "uncertainty":  # rows an indexed round did not rescore have no margin
        unscored = frame["uncertainty"].isna()
        groups = [("rescored this round", frame[~unscored])]
        if unscored.any():
            groups.append(("not rescored (no margin)", frame[unscored]))
    else:
        groups = [(str(value), part) for value, part in frame.groupby(column, sort=True)]
    for name, part in groups:
        marker: dict = {"opacity": 0.8,
                        "symbol": [POOL_STYLE[p][1] for p in part["pool"]],
                        "size": [POOL_STYLE[p][2] for p in part["pool"]]}  # fmt: skip
        if column == "pool":
            marker.update(color=POOL_STYLE[name][0])
        elif column == "uncertainty" and name.startswith("not"):
            marker.update(color="lightgray")
        elif column == "uncertainty":
            marker.update(color=part["uncertainty"], colorscale="Viridis", showscale=True,
                          colorbar={"title": "margin<br>(lower =<br>less sure)"})  # fmt: skip
        label = f"round {name}" if column == "round_picked" else name
        figure.add_trace(go.Scattergl(
            x=part["x"], y=part["y"], mode="markers", name=html.escape(label), marker=marker,
            text=hover_text(part), hoverinfo="text", customdata=part[["pool", "position"]].to_numpy(),
        ))  # fmt: skip
    if highlight is not None and not highlight.empty:
        chosen = highlight["pool"] == "target"
        for rows, name, style in ((highlight[~chosen], "its nearest source points", NEIGHBOUR_STYLE),
                                  (highlight[chosen], "chosen target", CHOSEN_STYLE)):  # fmt: skip
            figure.add_trace(go.Scattergl(x=rows["x"], y=rows["y"], mode="markers", name=name,
                                          marker=style, hoverinfo="skip"))  # fmt: skip
    figure.update_layout(height=620, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                         xaxis={"visible": False}, yaxis={"visible": False})  # fmt: skip
    return figure


def target_choice(frame: pd.DataFrame) -> int | None:
    """The chosen target position: from a click on the map, else the selectbox."""
    targets = frame[frame["pool"] == "target"].sort_values("position")
    if targets.empty:
        return None
    labels = {
        int(p): f"#{int(p)} {t[:70]}"
        for p, t in zip(targets["position"], targets["text"], strict=True)
    }
    event = st.session_state.get("map_chart")
    clicked = None
    if event and event.get("selection", {}).get("points"):
        point = event["selection"]["points"][0]
        data = point.get("customdata")
        if data and data[0] == "target":
            clicked = int(data[1])
    options = list(labels)
    index = options.index(clicked) if clicked in labels else 0
    return st.selectbox("Target point", options, index=index, format_func=labels.__getitem__)


def main() -> None:
    with page("Map") as store:
        if store is None:
            return
        versions = projected_model_versions(store)
        if not versions:
            st.info("No projection yet: it is computed after the first round scores the pools.")
            return
        names = version_names(store, versions)
        version = st.selectbox("Model", versions, index=len(versions) - 1,
                               format_func=names.__getitem__)  # fmt: skip
        current = store.current_round()
        frame = cached_map_frame(
            str(store.path), version, current.updated_at or "" if current else ""
        )
        k = project_settings(store).k
        color_by = st.radio("Colour by", list(COLOR_BY), horizontal=True)
        position = target_choice(frame)
        neighbours = (
            target_neighbours(store, version, position, k) if position is not None else None
        )
    highlight = None
    if neighbours is not None:
        keys = {*neighbours.frame["key"]}
        is_target = (frame["pool"] == "target") & (frame["position"] == position)
        highlight = frame[(frame["key"].isin(keys) & (frame["pool"] == "source")) | is_target]
    st.plotly_chart(scatter(frame, color_by, highlight), key="map_chart", on_select="rerun",
                    selection_mode="points", width="stretch")  # fmt: skip
    st.caption(f"{len(frame)} points ({(frame['pool'] == 'target').sum()} target). "
               "Orange diamonds are target points, blue circles source points; click a target "
               "to list its nearest source points (ringed). " + APPROXIMATE)  # fmt: skip
    if neighbours is not None:
        st.subheader(f"The {k} nearest source points of target #{position}")
        table = neighbours.frame.assign(
            picked=neighbours.frame["round_picked"].map(lambda r: f"round {r}" if r else "no")
        ).rename(columns={"uncertainty": MARGIN})
        st.dataframe(table[["language", "distance", MARGIN, "picked", "text"]], hide_index=True,
                     column_config={MARGIN: st.column_config.NumberColumn(help=MARGIN_HELP)})  # fmt: skip


main()
