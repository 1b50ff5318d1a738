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


def escaped_block(text: str, css_class: str = "demux-text") -> str:
    """A ``<div>`` holding ``text`` escaped, with an explicit ``dir`` attribute.

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
        f'style="unicode-bidi: plaintext; white-space: pre-wrap; font-size: 1.15rem;">'
        f"{html.escape(text)}</div>"
    )


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:")


def markdown_literal(text: str) -> str:
    """``text`` with every Markdown-special character backslash-escaped.

    Streamlit renders widget labels (buttons, radio options) as Markdown, including
    ``:emoji:`` shortcodes and links; a label from a data file must show as written.
    """
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text)
