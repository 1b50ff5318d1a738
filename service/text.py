"""Safe rendering helpers: escaping and text direction of user data."""

from __future__ import annotations

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


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:")


def markdown_literal(text: str) -> str:
    """``text`` with every Markdown-special character backslash-escaped.

    Streamlit renders widget labels (buttons, radio options) as Markdown, including
    ``:emoji:`` shortcodes and links; a label from a data file must show as written.
    """
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text)
