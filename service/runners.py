"""Which :class:`~service.worker.RoundRunner` the app uses.

``DEMUX_RUNNER`` picks it:

- ``real`` (default): the real round (``demux_core.rounds.round``: fine-tune, rescore, project,
  select) in a child process (:mod:`service.round_process`), so torch never loads in the
  Streamlit server and labeling stays fast while a round trains;
- ``real-thread``: the same, on the worker thread of the server process (for debugging and
  for comparing UI latency);
- ``fake``: made-up numbers in seconds, no model (tests, UI demos).

Tests in the same process (``AppTest``) call :func:`use_runner` instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.worker import ProgressCallback, RoundRunner

RUNNER_ENV = "DEMUX_RUNNER"
_override: Callable[[], RoundRunner] | None = None


class RealRunner:
    """Runs :class:`service.store_runner.StoreRoundRunner` (imported on first use, on the
    worker thread, so that torch loads there and only when a round runs)."""

    def run(self, store: Any, round_id: int, progress: ProgressCallback) -> None:
        from service.store_runner import StoreRoundRunner

        StoreRoundRunner().run(store, round_id, progress)


class ChildProcessRunner:
    """Runs the real round in a child process (see :mod:`service.round_process`); the child
    writes progress and results through its own store connection."""

    def run(self, store: Any, round_id: int, progress: ProgressCallback) -> None:
        from service.round_process import run_round_in_child

        progress("starting", 0.0)
        run_round_in_child(Path(store.path), round_id)


class ChildProcessTwinRunner:
    """Runs a round's random twin (:mod:`service.twin`) in a lower-priority child process,
    stopped as soon as the worker has a round to run."""

    def run(self, store: Any, round_id: int, should_stop: Callable[[], bool]) -> bool:
        from service.round_process import run_twin_in_child
        from service.twin import twin_reason

        if twin_reason(store) is not None:  # checked here: no child (and no torch) for nothing
            return True
        return run_twin_in_child(Path(store.path), round_id, should_stop)


class NoBackground:
    """No work after rounds (runners overridden in-process by :func:`use_runner`)."""

    def run(self, store: Any, round_id: int, should_stop: Callable[[], bool]) -> bool:
        return True


def current_background_runner() -> Any:
    """The runner of the work after each round: the random twin, fake with the fake runner."""
    if _override is not None:
        return NoBackground()
    if os.environ.get(RUNNER_ENV, "real").strip().lower() == "fake":
        from service.fake_runner import FakeTwinRunner

        return FakeTwinRunner(delay_s=float(os.environ.get(FAKE_DELAY_ENV, "0") or 0))
    return ChildProcessTwinRunner()


def use_runner(factory: Callable[[], RoundRunner] | None) -> None:
    """Make :func:`current_runner` return ``factory()``; ``None`` restores the default."""
    global _override
    _override = factory


FAKE_DELAY_ENV = "DEMUX_FAKE_DELAY"  # seconds the fake runner sleeps per stage (UI tests)


def current_runner() -> RoundRunner:
    """The runner for the next job: the override, else ``$DEMUX_RUNNER``, else the real one
    in a child process."""
    if _override is not None:
        return _override()
    choice = os.environ.get(RUNNER_ENV, "real").strip().lower()
    if choice == "fake":
        from service.fake_runner import FakeRunner

        return FakeRunner(delay_s=float(os.environ.get(FAKE_DELAY_ENV, "0") or 0))
    if choice == "real":
        return ChildProcessRunner()
    if choice == "real-thread":
        return RealRunner()
    raise ValueError(f"{RUNNER_ENV}={choice!r}: expected 'real', 'real-thread' or 'fake'")
