"""The browser widgets' press queue, on the Python side: components and their new presses."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

_HERE = Path(__file__).resolve().parent
HANDLED_KEY = "_handled_press_nonces"


@cache
def component(name: str, html: str, stem: str) -> Any:
    """A ``st.components.v2`` component whose JS starts with the shared press queue (made
    once per process)."""
    return st.components.v2.component(
        name,
        html=html,
        css=(_HERE / f"{stem}.css").read_text(encoding="utf-8"),
        js=(_HERE / "press_queue.js").read_text(encoding="utf-8")
        + "\n"
        + (_HERE / f"{stem}.js").read_text(encoding="utf-8"),
    )


def pending_presses(key: str) -> list[Mapping[str, Any]]:
    """The presses the widget ``key`` sent that this session has not handled yet, in order.

    Read before the page draws anything, so that the item shown afterwards reflects them.
    """
    state = st.session_state.get(key)
    presses = presses_of(state)
    handled = st.session_state.setdefault(HANDLED_KEY, {}).setdefault(key, [])
    return [press for press in presses if press.get("nonce") not in handled]


def handled_nonces(key: str) -> list[str]:
    """The live list of the nonces of ``key``'s presses this session handled, pruned to those
    the widget may still send (its latest queue).

    Append to the returned list itself right after each press is carried out: the list is
    the object session state holds, so appending goes through no Streamlit call, and no rerun
    can interrupt the run between a press's save and its mark (a press saved but not marked
    would be carried out again on the next run, and refused as already handled).
    """
    handled = st.session_state.setdefault(HANDLED_KEY, {}).setdefault(key, [])
    latest = {press.get("nonce") for press in presses_of(st.session_state.get(key))}
    handled[:] = [nonce for nonce in handled if nonce in latest]
    return handled


def acknowledged(key: str) -> list[str]:
    """The nonces to send back to the widget so that it drops them from its queue."""
    return list(st.session_state.get(HANDLED_KEY, {}).get(key, []))


def presses_of(state: Any) -> list[Mapping[str, Any]]:
    if state is None:
        return []
    presses = state.get("presses") if hasattr(state, "get") else getattr(state, "presses", None)
    if not isinstance(presses, list):
        return []
    return [press for press in presses if isinstance(press, Mapping) and press.get("nonce")]
