"""The span-tagging component for token tasks (``st.components.v2``, inline HTML/JS/CSS)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

_HERE = Path(__file__).resolve().parent
_HTML = '<div class="tagger" tabindex="0" role="application" aria-label="token tagger"></div>'


@cache
def _component() -> Any:
    return st.components.v2.component(
        "demux_token_tagger",
        html=_HTML,
        css=(_HERE / "token_tagger.css").read_text(encoding="utf-8"),
        js=(_HERE / "token_tagger.js").read_text(encoding="utf-8"),
    )


def token_tagger(
    *,
    example_id: str,
    tokens: Sequence[str],
    tags: Sequence[str],
    labels: Sequence[str],
    bio: bool,
    direction: str,
    key: str,
) -> list[str] | None:
    """Show the tagger for one sentence; the submitted tags on the run after Enter, else None.

    Parameters
    ----------
    example_id : str
        The example shown; a draft of unsaved edits is kept per example in the browser.
    tokens, tags : sequence of str, same length
        The words and the tags to start from (the model's prediction).
    labels : sequence of str
        Entity types (BIO schema) or plain labels (e.g. UPOS), in digit-key order.
    bio : bool
        Whether tags are BIO (span -> B-X I-X ...) or one label per token.
    direction : {"ltr", "rtl"}
    key : str
        Streamlit widget key.
    """
    result = _component()(
        key=key,
        data={
            "example_id": example_id,
            "draft_key": f"{key}:{example_id}",
            "tokens": list(tokens),
            "tags": list(tags),
            "labels": list(labels),
            "bio": bio,
            "direction": direction,
        },
        on_submit_change=lambda: None,
    )
    submitted = getattr(result, "submit", None)
    if not submitted or submitted.get("example_id") != example_id:
        return None
    return [str(tag) for tag in submitted.get("tags", [])]
