"""The label pad for sequence, pair and QA tasks (``st.components.v2``, inline HTML/JS/CSS).

Class buttons with digit keys, Enter to accept the model's suggestion, the QA answer field,
S / F / U for skip, flag and undo. Every press reaches the page with the key of the item
the browser showed (:mod:`ui.widgets.presses`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.team.timing import idle_limit_s
from ui.widgets.presses import acknowledged, component

_HTML = '<div class="label-pad" role="group" aria-label="label this sentence"></div>'


def label_pad(
    *,
    key: str,
    example_id: int | None,
    texts: Sequence[Mapping[str, Any]] = (),
    classes: Sequence[str] = (),
    suggestion: str | None = None,
    qa_answer: str | None = None,
) -> None:
    """Draw the pad for one item (``example_id=None``: no item, only Undo).

    Parameters
    ----------
    key : str
        Streamlit widget key; read its presses with :func:`ui.widgets.presses.pending_presses`.
    example_id : int or None
        The item on screen (its example key); every press carries it.
    texts : sequence of mapping
        The item's texts, each ``{"text", "dir", "caption"}``: shown by the pad itself (as
        text, never HTML), so that the sentence on screen and the key of its presses always
        change together.
    classes : sequence of str
        Class names in digit-key order (sequence and pair tasks; empty for QA).
    suggestion : str, optional
        The model's guess, marked on its button and taken by Enter.
    qa_answer : str, optional
        For QA: the answer field's initial text (``""`` when there is no guess).
    """
    component("demux_label_pad", _HTML, "label_pad")(
        key=key,
        data={
            "queue_key": key,
            "example_id": example_id,
            "texts": [dict(text) for text in texts],
            "classes": list(classes),
            "suggestion": suggestion,
            "qa": None if qa_answer is None else {"answer": qa_answer},
            "acked": acknowledged(key),
            "idle_ms": int(idle_limit_s() * 1000),
        },
        default={"presses": []},
        on_presses_change=lambda: None,
    )
