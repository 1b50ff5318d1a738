"""The span-tagging component for token tasks (``st.components.v2``, inline HTML/JS/CSS)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
        default={"submission": None},
        on_submission_change=lambda: None,
    )
    seen_key = f"{key}:seen_submission"
    tags_out = unseen_submission(
        getattr(result, "submission", None), example_id, st.session_state.get(seen_key)
    )
    if tags_out is not None:
        st.session_state[seen_key] = result.submission["nonce"]
    return tags_out


def unseen_submission(
    submission: Mapping[str, Any] | None, example_id: str, seen_nonce: str | None
) -> list[str] | None:
    """The tags of a submission not handled yet for the example shown, else None.

    The tagger sends ``{"example_id", "tags", "nonce"}`` as a *state* value, not a trigger:
    Streamlit can drop a trigger that arrives while the sidebar's polling fragment runs (a
    lost Enter), whereas a state value is sent again with every later rerun. The nonce
    makes each press count once.

    Parameters
    ----------
    submission : mapping or None
        The component's last submission (it persists across reruns).
    example_id : str
        The example on screen; a submission for another example is stale.
    seen_nonce : str or None
        The nonce of the submission handled last in this session.
    """
    if not submission or submission.get("example_id") != example_id:
        return None
    if submission.get("nonce") is None or submission.get("nonce") == seen_nonce:
        return None
    return [str(tag) for tag in submission.get("tags", [])]
