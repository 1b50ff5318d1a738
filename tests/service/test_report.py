"""The rounds page's report of the pool index: rebuild notes and approximate search."""

from service.projects import open_store
from service.report import index_notes
from tests.service.factories import make_project


def test_index_notes_come_from_the_latest_round_with_an_index(demux_home):
    store = open_store(make_project())
    assert index_notes(store) == []  # no round yet
    first = store.start_round("knn-uncertainty", {})
    note = "The pool index was built with another model (fingerprint aaa); it is rebuilt."
    store.set_round_status(
        first.id, "annotating", metrics={"index_search": "exact", "index_notes": [note]}
    )
    assert index_notes(store) == [note]
    store.set_round_status(first.id, "done")
    second = store.start_round("knn-uncertainty", {})
    store.set_round_status(second.id, "annotating",
                           metrics={"index_search": "ivf", "index_notes": [], "index_recall": 0.9912})  # fmt: skip
    assert index_notes(store) == [
        "Neighbour search is approximate (IVF), recall 0.991 against exact search."
    ]
    store.close()
