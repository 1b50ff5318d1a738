"""Pure helpers behind the page widgets: the press queue's payload and the sidebar's polling."""

from ui.common import polls_fast
from ui.widgets.presses import presses_of


def press(nonce="n1", action="label", example_id=7, label="health"):
    return {"nonce": nonce, "action": action, "example_id": example_id, "label": label}


def test_every_queued_press_is_read_in_order():
    """The widget sends all presses not acknowledged yet: none may be skipped."""
    state = {"presses": [press("n1"), press("n2", "skip", 8, None), press("n3", "undo", None)]}
    assert [p["nonce"] for p in presses_of(state)] == ["n1", "n2", "n3"]


def test_presses_without_a_nonce_or_of_another_shape_are_ignored():
    state = {"presses": [press(nonce=""), "junk", press("n2")]}
    assert [p["nonce"] for p in presses_of(state)] == ["n2"]
    assert presses_of(None) == []
    assert presses_of({"presses": "not a list"}) == []


def test_the_sidebar_polls_fast_only_while_a_round_runs():
    assert polls_fast(None)
    assert polls_fast((3, "running"))
    assert not polls_fast((3, "annotating"))
    assert not polls_fast((None, "no-round"))
    assert not polls_fast((3, "failed"))
