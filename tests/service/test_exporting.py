import json

from service.annotation import round_items, save_label, undo_last
from service.exporting import labeled_data, labels_version
from service.fake_runner import FakeRunner
from service.projects import open_store
from service.round_control import start_next_round
from service.worker import RoundWorker
from tests.service.factories import make_project


def test_labels_version_changes_on_label_and_returns_on_undo(demux_home):
    store = open_store(make_project())
    worker = RoundWorker(open_store, FakeRunner)
    first = start_next_round(store, worker)
    assert worker.wait_idle(10)
    before = labels_version(store)
    item = round_items(store, first.id)[0]
    save_label(store, first.id, item, "health", "ann")
    labeled = labels_version(store)
    assert labeled != before
    rows = [json.loads(line) for line in labeled_data(store, "jsonl").data.splitlines()]
    assert [row["label"] for row in rows if row["id"] == item.example.id] == ["health"]
    save_label(store, first.id, item, "sports", "ann")  # a new label for the same point
    assert labels_version(store) not in (before, labeled)
    undo_last(store, "ann")
    assert labels_version(store) == labeled
    worker.stop(5)
    store.close()
