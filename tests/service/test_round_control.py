import pytest

from service.annotation import (
    mark,
    next_unhandled,
    round_items,
    round_progress,
    save_label,
    undo_last,
)
from service.fake_runner import FakeRunner
from service.projects import open_store
from service.round_control import Phase, rerun_round, round_state, start_next_round
from service.worker import RoundWorker
from tests.service.factories import make_project


@pytest.fixture
def project(demux_home):
    path = make_project()
    store = open_store(path)
    yield store
    store.close()


def make_worker(runner):
    return RoundWorker(open_store, lambda: runner)


def test_first_round_runs_on_worker_and_waits_for_annotation(project):
    worker = make_worker(FakeRunner())
    assert round_state(project, worker).phase == Phase.NO_ROUND
    first = start_next_round(project, worker)
    assert worker.wait_idle(10)
    state = round_state(project, worker)
    assert state.phase == Phase.ANNOTATING and state.round.id == first.id
    assert state.round.model_version == "fake-r1"
    assert len(project.selections(first.id)) == 3
    assert set(state.round.timings) == {"training", "scoring", "selecting"}
    worker.stop(5)


def test_labels_undo_and_next_round_excludes_picked_points(project):
    worker = make_worker(FakeRunner())
    first = start_next_round(project, worker)
    worker.wait_idle(10)
    items = round_items(project, first.id)
    assert [item.rank for item in items] == [0, 1, 2]
    assert all(item.suggestion in ("sports", "health", "politics") for item in items)

    save_label(project, first.id, items[0], "health", "ann")
    mark(project, first.id, items[1], "skip", "ann")
    items = round_items(project, first.id)
    assert next_unhandled(items).rank == 2
    assert round_progress(items).labeled == 1 and round_progress(items).skipped == 1

    undone = undo_last(project, "ann")
    assert undone.kind == "skip"
    items = round_items(project, first.id)
    assert next_unhandled(items).rank == 1
    assert items[0].annotation.labels == "health"

    second = start_next_round(project, worker)
    worker.wait_idle(10)
    assert project.get_round(first.id).status == "done"
    assert round_state(project, worker).phase == Phase.ANNOTATING
    first_keys = {s.example_key for s in project.selections(first.id)}
    second_keys = {s.example_key for s in project.selections(second.id)}
    assert first_keys.isdisjoint(second_keys)
    assert project.get_round(second.id).metrics["n_labeled"] == 1
    worker.stop(5)


def test_failed_round_keeps_error_and_retry_succeeds(project):
    runners = iter([FakeRunner(fail_with="out of memory"), FakeRunner()])
    worker = RoundWorker(open_store, lambda: next(runners))
    first = start_next_round(project, worker)
    worker.wait_idle(10)
    state = round_state(project, worker)
    assert state.phase == Phase.FAILED
    assert "out of memory" in state.round.error
    with pytest.raises(RuntimeError, match="failed"):
        start_next_round(project, worker)
    assert rerun_round(project, worker, first.id)
    worker.wait_idle(10)
    assert round_state(project, worker).phase == Phase.ANNOTATING
    worker.stop(5)


def test_round_left_running_by_a_dead_worker_is_interrupted_and_resumable(project):
    worker = make_worker(FakeRunner())
    stale = project.start_round("random", {})  # created, never queued: as after a crash
    assert round_state(project, worker).phase == Phase.INTERRUPTED
    assert rerun_round(project, worker, stale.id)
    worker.wait_idle(10)
    assert round_state(project, worker).phase == Phase.ANNOTATING
    worker.stop(5)


def test_token_labels_are_repaired_to_valid_bio(demux_home):
    from demux_core.data.examples import TaskType

    store = open_store(make_project("ner", TaskType.TOKEN))
    worker = make_worker(FakeRunner())
    current = start_next_round(store, worker)
    worker.wait_idle(10)
    item = round_items(store, current.id)[0]
    assert item.suggestion == ("B-LOC", "O", "O", "O", "O")  # the fake guesses the first word
    saved = save_label(store, current.id, item, ["I-PER", "O", "O", "I-LOC", "I-LOC"], "ann")
    assert saved.labels == ("B-PER", "O", "O", "B-LOC", "I-LOC")
    worker.stop(5)
    store.close()
