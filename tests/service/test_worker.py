import threading
from pathlib import Path

from service.worker import RoundJob, RoundWorker, run_round


class MemoryStatusStore:
    """Records every status/progress write, shared across 'connections'."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.closed = 0

    def mark_round_failed(self, round_id, error):
        self.events.append(("failed", round_id, error))

    def set_round_progress(self, round_id, progress, stage=None):
        self.events.append(("progress", round_id, stage, progress))

    def close(self):
        self.closed += 1


class ScriptedRunner:
    def __init__(self, fail: bool = False, gate: threading.Event | None = None) -> None:
        self.fail = fail
        self.gate = gate
        self.calls: list[int] = []

    def run(self, store, round_id, progress):
        self.calls.append(round_id)
        progress("train", 0.5)
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail:
            raise RuntimeError("CUDA out of memory <b>")
        progress("select", 2.0)


def test_run_round_records_progress_clamped_to_unit_interval():
    store = MemoryStatusStore()
    assert run_round(store, ScriptedRunner(), 3)
    assert store.events == [("progress", 3, "train", 0.5), ("progress", 3, "select", 1.0)]


def test_run_round_stores_error_of_failed_runner():
    store = MemoryStatusStore()
    assert not run_round(store, ScriptedRunner(fail=True), 7)
    kind, round_id, error = store.events[-1]
    assert (kind, round_id) == ("failed", 7)
    assert "RuntimeError" in error and "CUDA out of memory" in error


def test_worker_runs_queued_jobs_in_order_on_its_thread_and_closes_store():
    store = MemoryStatusStore()
    runner = ScriptedRunner()
    opened_on: list[str] = []

    def open_store(path: Path):
        opened_on.append(threading.current_thread().name)
        return store

    worker = RoundWorker(open_store, lambda: runner)
    assert worker.submit(RoundJob(Path("a.sqlite"), 1))
    assert worker.submit(RoundJob(Path("a.sqlite"), 2))
    assert worker.wait_idle(5)
    worker.stop(5)
    assert runner.calls == [1, 2]
    assert opened_on == ["demux-round-worker"] * 2
    assert store.closed == 2


def test_worker_ignores_duplicate_job_while_pending():
    gate = threading.Event()
    runner = ScriptedRunner(gate=gate)
    worker = RoundWorker(lambda path: MemoryStatusStore(), lambda: runner)
    job = RoundJob(Path("p.sqlite"), 1)
    assert worker.submit(job)
    assert not worker.submit(job)
    assert worker.is_pending(job)
    gate.set()
    assert worker.wait_idle(5)
    assert not worker.is_pending(job)
    assert runner.calls == [1]
    worker.stop(5)


def test_worker_survives_failure_and_store_open_error():
    store = MemoryStatusStore()
    runners = iter([ScriptedRunner(fail=True), ScriptedRunner()])

    def open_store(path: Path):
        if path.name == "broken.sqlite":
            raise OSError("disk gone")
        return store

    worker = RoundWorker(open_store, lambda: next(runners))
    worker.submit(RoundJob(Path("broken.sqlite"), 1))
    worker.submit(RoundJob(Path("ok.sqlite"), 2))
    worker.submit(RoundJob(Path("ok.sqlite"), 3))
    assert worker.wait_idle(5)
    worker.stop(5)
    failed = [e[1] for e in store.events if e[0] == "failed"]
    progressed = sorted({e[1] for e in store.events if e[0] == "progress"})
    assert failed == [2]
    assert progressed == [2, 3]


class StoppableBackground:
    """Background work that runs until asked to stop the first time, then finishes."""

    def __init__(self, events: list) -> None:
        self.events = events
        self.stopped_once = False

    def run(self, store, round_id, should_stop):
        self.events.append(("background starts", round_id))
        if not self.stopped_once:
            while not should_stop():
                threading.Event().wait(0.01)
            self.stopped_once = True
            self.events.append(("background stopped", round_id))
            return False
        self.events.append(("background done", round_id))
        return True


def test_background_work_never_delays_a_round_and_resumes_after_it():
    events: list = []
    background = StoppableBackground(events)

    class Recording:
        def run(self, store, round_id, progress):
            events.append(("round", round_id))

    worker = RoundWorker(lambda path: MemoryStatusStore(), Recording, lambda: background)
    path = Path("/tmp/p.sqlite")
    worker.submit(RoundJob(path, 1))
    assert worker.wait_idle(5)
    deadline = threading.Event()
    while ("background starts", 1) not in events and not deadline.wait(0.01):
        pass
    assert worker.busy_with(path) and worker.background_pending(path)
    worker.submit(RoundJob(path, 2))  # a round arrives while the twin of round 1 runs
    assert worker.wait_idle(5)
    assert worker.wait_background_idle(5)
    assert events == [("round", 1), ("background starts", 1), ("background stopped", 1),
                      ("round", 2), ("background starts", 1), ("background done", 1),
                      ("background starts", 2), ("background done", 2)]  # fmt: skip
    assert not worker.background_pending(path)
    worker.stop(5)
