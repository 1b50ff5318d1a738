"""Safe rendering helpers: escaping and text direction of user data."""

from __future__ import annotations

import html
import unicodedata

_RTL_BIDI_CLASSES = frozenset({"R", "AL"})
_LTR_BIDI_CLASSES = frozenset({"L"})


def text_direction(text: str) -> str:
    """``"rtl"`` when the first strong character of ``text`` is right-to-left, else ``"ltr"``.

    Uses the Unicode bidirectional class (Arabic, Hebrew, Syriac, Thaana, N'Ko ... are
    ``R``/``AL``), which is what ``dir="auto"`` does in a browser.
    """
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in _RTL_BIDI_CLASSES:
            return "rtl"
        if bidi in _LTR_BIDI_CLASSES:
            return "ltr"
    return "ltr"


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible_bidi_controls(text: str) -> str:
    """``text`` with each explicit direction control (embeddings, overrides, isolates) shown
    as a visible mark such as ``[U+202E]`` instead of reordering what follows it."""
    return "".join(f"[U+{ord(char):04X}]" if char in BIDI_CONTROLS else char for char in text)


def escaped_block(text: str, css_class: str = "demux-text") -> str:
    """A ``<div>`` holding ``text`` escaped, with an explicit ``dir`` attribute.

    The block isolates its direction from the page, long words wrap, and explicit bidi
    controls in the data show as marks (:func:`visible_bidi_controls`), so what is shown is
    what is stored.

    Parameters
    ----------
    text : str
        Untrusted text (from a data file or an annotator).
    css_class : str
        A trusted CSS class name.

    Returns
    -------
    str
        HTML safe to pass to ``st.html``.
    """
    direction = text_direction(text)
    return (
        f'<div class="{html.escape(css_class)}" dir="{direction}" lang="" '
        f'style="unicode-bidi: isolate; white-space: pre-wrap; overflow-wrap: anywhere; '
        f'font-size: 1.15rem;">{html.escape(visible_bidi_controls(text))}</div>'
    )


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:")


def markdown_literal(text: str) -> str:
    """``text`` with every Markdown-special character backslash-escaped.

    Streamlit renders widget labels (buttons, radio options) as Markdown, including
    ``:emoji:`` shortcodes and links; a label from a data file must show as written.
    """
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text)
