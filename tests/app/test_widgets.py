"""Pure helpers behind the page widgets: the tagger's submissions and the sidebar's polling."""

from pages.common import polls_fast
from pages.widgets.token_tagger import unseen_submission


def submission(example_id="7", nonce="n1", tags=("B-PER", "O")):
    return {"example_id": example_id, "tags": list(tags), "nonce": nonce}


def test_a_new_submission_for_the_example_shown_gives_its_tags():
    assert unseen_submission(submission(), "7", None) == ["B-PER", "O"]
    assert unseen_submission(submission(nonce="n2"), "7", "n1") == ["B-PER", "O"]


def test_a_submission_counts_once():
    """The state value persists across reruns; the nonce already handled is ignored."""
    assert unseen_submission(submission(nonce="n1"), "7", "n1") is None


def test_a_submission_for_another_example_is_stale():
    """After a save the next example shows while the old submission is still the state."""
    assert unseen_submission(submission(example_id="7"), "8", None) is None


def test_no_submission_or_no_nonce_gives_nothing():
    assert unseen_submission(None, "7", None) is None
    assert unseen_submission({"example_id": "7", "tags": ["O"]}, "7", None) is None


def test_the_sidebar_polls_fast_only_while_a_round_runs():
    assert polls_fast(None)
    assert polls_fast((3, "running"))
    assert not polls_fast((3, "annotating"))
    assert not polls_fast((None, "no-round"))
    assert not polls_fast((3, "failed"))
