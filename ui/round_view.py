"""What the Annotate page shows around the sentence: its header, the guesses switch, the
message between rounds."""

from __future__ import annotations

import html

import streamlit as st

from service.annotation import AnnotationItem, RoundProgress, suggestion_advice
from storage import Round
from ui.common import MARGIN_HELP


def item_header(item: AnnotationItem, total: int) -> None:
    """Language, rank, margin and distance of the shown item (escaped)."""

    def number(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    st.html(
        f'<div class="demux-meta" data-example-id="{item.example_key}" '
        'style="display:flex;gap:1.5rem;opacity:.85">'
        f"<span>language <b>{html.escape(item.example.language)}</b></span>"
        f"<span>rank <b>{item.rank + 1}</b> of {total}</span>"
        f'<span title="{html.escape(MARGIN_HELP)}">margin <b>{number(item.uncertainty)}</b> '
        "(lower = less sure)</span>"
        f"<span>distance to target <b>{number(item.distance)}</b></span></div>"
    )


def show_guesses(current: Round) -> bool:
    """The switch for the model's guesses: on by default only for a model measured good."""
    advice = suggestion_advice(current)
    shown = st.toggle("Show the model's guesses", value=advice.show,
                      key=f"show_guesses_{current.id}", help=advice.reason)  # fmt: skip
    if shown != advice.show:
        st.caption(("Shown at your request. " if shown else "Hidden at your request. ")
                   + advice.reason)  # fmt: skip
    else:
        st.caption(advice.reason)
    return shown


def round_done(done: Round, progress: RoundProgress) -> None:
    """The moment between rounds: what the finished round gave and what happens now."""
    st.success(f"Round {done.number} done: {progress.labeled} label(s)"
               f"{_also(progress)}. Training round {done.number + 1} on them; its sentences "
               "appear here by themselves when it is ready (the sidebar shows its progress).",
               icon=":material/model_training:")  # fmt: skip


def _also(progress: RoundProgress) -> str:
    extra = [f"{n} {what}" for n, what in ((progress.skipped, "skipped"),
                                            (progress.flagged, "flagged")) if n]  # fmt: skip
    return f" ({', '.join(extra)})" if extra else ""
