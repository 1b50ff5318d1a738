"""Which :class:`~service.worker.RoundRunner` the app uses.

The real runner (``demux_core.rounds``: fine-tune, rescore, project, select) is imported
only when a round runs, on the worker thread, so neither the UI thread nor this module
imports torch. Tests and demos without a model choose the fake runner, either by calling
:func:`use_runner` (same process, e.g. ``AppTest``) or by setting ``DEMUX_RUNNER=fake``
(e.g. a browser test that starts ``streamlit run``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
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


def use_runner(factory: Callable[[], RoundRunner] | None) -> None:
    """Make :func:`current_runner` return ``factory()``; ``None`` restores the default."""
    global _override
    _override = factory


def current_runner() -> RoundRunner:
    """The runner for the next job: the override, else ``$DEMUX_RUNNER``, else the real one."""
    if _override is not None:
        return _override()
    choice = os.environ.get(RUNNER_ENV, "real").strip().lower()
    if choice == "fake":
        from service.fake_runner import FakeRunner

        return FakeRunner()
    if choice != "real":
        raise ValueError(f"{RUNNER_ENV}={choice!r}: expected 'real' or 'fake'")
    return RealRunner()
