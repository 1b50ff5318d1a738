"""One background thread that runs rounds, outside any Streamlit script run.

The worker imports no Streamlit and no torch. It takes jobs ``(project path, round id)``
from a queue, opens its own store connection (SQLite connections belong to one thread),
marks the round running, calls the injected :class:`RoundRunner`, and records success or
the error. Progress goes into the store, so every browser tab sees it by polling.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class ProgressCallback(Protocol):
    """Called by a runner as it goes: ``progress("train", 0.4)``; fraction in [0, 1]."""

    def __call__(self, stage: str, fraction: float) -> None: ...


class RoundRunner(Protocol):
    """Does the work of one round and writes its results through the store."""

    def run(self, store: Any, round_id: int, progress: ProgressCallback) -> None: ...


class RoundStatusStore(Protocol):
    """The part of :class:`storage.ProjectStore` the worker itself writes."""

    def set_round_progress(
        self, round_id: int, progress: float, stage: str | None = None
    ) -> None: ...

    def mark_round_failed(self, round_id: int, error: str) -> Any: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class RoundJob:
    """A request to run round ``round_id`` of the project stored at ``project_path``."""

    project_path: Path
    round_id: int


StoreOpener = Callable[[Path], RoundStatusStore]
RunnerFactory = Callable[[], RoundRunner]


class RoundWorker:
    """A single daemon thread running queued rounds one after another.

    Parameters
    ----------
    open_store : callable(Path) -> store
        Opens a fresh store connection on the worker thread.
    runner_factory : callable() -> RoundRunner
        Called once per job (so a test can swap the runner between jobs).
    """

    def __init__(self, open_store: StoreOpener, runner_factory: RunnerFactory) -> None:
        self._open_store = open_store
        self._runner_factory = runner_factory
        self._jobs: queue.Queue[RoundJob | None] = queue.Queue()
        self._pending: set[RoundJob] = set()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (idempotent)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._loop, name="demux-round-worker", daemon=True
            )
            self._thread.start()

    def submit(self, job: RoundJob) -> bool:
        """Queue a job; returns ``False`` when the same job is already queued or running."""
        self.start()
        with self._lock:
            if job in self._pending:
                return False
            self._pending.add(job)
            self._idle.clear()
        self._jobs.put(job)
        return True

    def is_pending(self, job: RoundJob) -> bool:
        """Whether ``job`` is queued or running in this process."""
        with self._lock:
            return job in self._pending

    def busy_with(self, project_path: Path) -> bool:
        """Whether a round of the project at ``project_path`` is queued or running here."""
        with self._lock:
            return any(job.project_path == Path(project_path) for job in self._pending)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is queued or running; ``False`` on timeout."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Finish the queued jobs, then end the thread."""
        thread = self._thread
        if thread is None:
            return
        self._jobs.put(None)
        thread.join(timeout)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._run_job(job)
            finally:
                with self._lock:
                    self._pending.discard(job)
                    if not self._pending:
                        self._idle.set()

    def _run_job(self, job: RoundJob) -> None:
        try:
            store = self._open_store(job.project_path)
        except Exception:  # noqa: BLE001 - nothing to record into without a store
            logger.exception("cannot open project %s for round %s", job.project_path, job.round_id)
            return
        try:
            run_round(store, self._runner_factory(), job.round_id)
        finally:
            store.close()


def run_round(store: RoundStatusStore, runner: RoundRunner, round_id: int) -> bool:
    """Run one round synchronously, recording progress and any error.

    The runner moves the round through its statuses (``selecting``, ``training``,
    ``scoring`` ... ``annotating``); this function only adds progress writes and, when the
    runner raises, marks the round ``failed`` with the error text.

    Parameters
    ----------
    store : RoundStatusStore
        An open store on the calling thread.
    runner : RoundRunner
    round_id : int

    Returns
    -------
    bool
        ``True`` when the runner finished, ``False`` when it raised (the error is stored).
    """

    def progress(stage: str, fraction: float) -> None:
        store.set_round_progress(round_id, min(max(float(fraction), 0.0), 1.0), stage=stage)

    try:
        runner.run(store, round_id, progress)
    except Exception as error:  # noqa: BLE001 - any failure must reach the UI
        logger.exception("round %s failed", round_id)
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        store.mark_round_failed(round_id, detail)
        return False
    return True
