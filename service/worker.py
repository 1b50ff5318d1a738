"""One background thread that runs rounds, outside any Streamlit script run.

The worker imports no Streamlit and no torch. It takes jobs ``(project path, round id)``
from a queue, opens its own store connection (SQLite connections belong to one thread),
marks the round running, calls the injected :class:`RoundRunner`, and records success or
the error. Progress goes into the store, so every browser tab sees it by polling.

After a round succeeds, a :class:`BackgroundJob` for it (the random twin,
:mod:`service.twin`) waits in a second queue that runs only while no round is queued: a
background runner is asked to stop as soon as a round job arrives, and its job is queued
again behind that round, so background work never delays a round.
"""

from __future__ import annotations

import collections
import contextlib
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


@dataclass(frozen=True)
class BackgroundJob:
    """Low-priority work after round ``round_id`` of the project at ``project_path``."""

    project_path: Path
    round_id: int


class BackgroundRunner(Protocol):
    """Runs one background job; returns False when it stopped because ``should_stop()``."""

    def run(self, store: Any, round_id: int, should_stop: Callable[[], bool]) -> bool: ...


StoreOpener = Callable[[Path], RoundStatusStore]
RunnerFactory = Callable[[], RoundRunner]
BackgroundFactory = Callable[[], BackgroundRunner]
BACKGROUND_POLL_S = 0.2


class RoundWorker:
    """A single daemon thread running queued rounds one after another.

    Parameters
    ----------
    open_store : callable(Path) -> store
        Opens a fresh store connection on the worker thread.
    runner_factory : callable() -> RoundRunner
        Called once per job (so a test can swap the runner between jobs).
    background_factory : callable() -> BackgroundRunner, optional
        The runner of the work queued after each successful round (None: none).
    """

    def __init__(self, open_store: StoreOpener, runner_factory: RunnerFactory,
                 background_factory: BackgroundFactory | None = None) -> None:  # fmt: skip
        self._open_store = open_store
        self._runner_factory = runner_factory
        self._background_factory = background_factory
        self._background: collections.deque[BackgroundJob] = collections.deque()
        self._background_running: BackgroundJob | None = None
        self._background_idle = threading.Event()
        self._background_idle.set()
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
        """Whether a round (or background work) of the project at ``project_path`` is queued
        or running here."""
        with self._lock:
            jobs = [*self._pending, *self._background, self._background_running]
            return any(job is not None and job.project_path == Path(project_path) for job in jobs)

    def background_pending(self, project_path: Path) -> bool:
        """Whether background work of the project is queued or running here."""
        with self._lock:
            jobs = [*self._background, self._background_running]
            return any(job is not None and job.project_path == Path(project_path) for job in jobs)

    def wait_background_idle(self, timeout: float | None = None) -> bool:
        """Block until no background job is queued or running; ``False`` on timeout."""
        return self._background_idle.wait(timeout)

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
            try:
                job = self._jobs.get(timeout=BACKGROUND_POLL_S if self._background else None)
            except queue.Empty:
                self._run_background()
                continue
            if job is None:
                return
            try:
                if self._run_job(job) and self._background_factory is not None:
                    with self._lock:
                        self._background.append(BackgroundJob(job.project_path, job.round_id))
                        self._background_idle.clear()
            finally:
                with self._lock:
                    self._pending.discard(job)
                    if not self._pending:
                        self._idle.set()

    def _run_job(self, job: RoundJob) -> bool:
        try:
            store = self._open_store(job.project_path)
        except Exception:  # noqa: BLE001 - nothing to record into without a store
            logger.exception("cannot open project %s for round %s", job.project_path, job.round_id)
            return False
        try:
            return run_round(store, self._runner_factory(), job.round_id)
        finally:
            store.close()

    def _run_background(self) -> None:
        """Run the oldest background job until it ends or a round job is queued (then it is
        queued again, behind that round)."""
        with self._lock:
            if not self._background:
                return
            job = self._background_running = self._background.popleft()
        finished = True
        try:
            store = self._open_store(job.project_path)
            try:
                finished = self._background_factory().run(
                    store, job.round_id, should_stop=lambda: not self._jobs.empty()
                )
            except Exception as error:  # noqa: BLE001 - recorded with the round, never raised
                logger.exception("background work after round %s failed", job.round_id)
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                with contextlib.suppress(Exception):
                    store.merge_round_metrics(job.round_id, {"twin_error": detail})
            finally:
                store.close()
        except Exception:  # noqa: BLE001 - the project is gone: drop the job
            logger.exception("cannot open project %s for background work", job.project_path)
        with self._lock:
            self._background_running = None
            if not finished:
                self._background.append(job)
            if not self._background:
                self._background_idle.set()


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
