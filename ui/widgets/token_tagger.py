"""The span-tagging component for token tasks (``st.components.v2``, inline HTML/JS/CSS).

Click / shift-click / drag selects words, digits set an entity type, Enter saves the tags;
S, F and U skip, flag and undo. Every press reaches the page with the key of the sentence
the browser showed (:mod:`ui.widgets.presses`).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.team.timing import idle_limit_s
from ui.widgets.presses import acknowledged, component

_HTML = '<div class="tagger" tabindex="0" role="application" aria-label="token tagger"></div>'


def token_tagger(
    *,
    example_id: int,
    tokens: Sequence[str],
    tags: Sequence[str],
    labels: Sequence[str],
    bio: bool,
    direction: str,
    key: str,
    suggested: bool = False,
) -> None:
    """Show the tagger for one sentence; read its presses with ``pending_presses(key)``.

    Parameters
    ----------
    example_id : int
        The example shown (its key); a draft of unsaved edits is kept per example in the
        browser, and every press carries it.
    tokens, tags : sequence of str, same length
        The words and the tags to start from (the model's prediction).
    labels : sequence of str
        Entity types (BIO schema) or plain labels (e.g. UPOS), in digit-key order.
    bio : bool
        Whether tags are BIO (span -> B-X I-X ...) or one label per token.
    direction : {"ltr", "rtl"}
    key : str
        Streamlit widget key.
    suggested : bool
        ``tags`` are the model's guess: its entity words show dashed (a suggestion, not a
        choice) until the annotator sets them.
    """
    component("demux_token_tagger", _HTML, "token_tagger")(
        key=key,
        data={
            "queue_key": key,
            "example_id": example_id,
            "draft_key": f"{key}:{example_id}",
            "tokens": list(tokens),
            "tags": list(tags),
            "labels": list(labels),
            "bio": bio,
            "direction": direction,
            "suggested": suggested,
            "acked": acknowledged(key),
            "idle_ms": int(idle_limit_s() * 1000),
        },
        default={"presses": []},
        on_presses_change=lambda: None,
    )
