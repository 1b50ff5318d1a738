"""Several threads writing at once never surface "database is locked"."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from storage import ConnectionSettings, StorageBusyError, create_project, open_project
from tests.storage.conftest import TOPICS, sequence_examples


def _run_threads(*targets) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(target) -> None:
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.parametrize(
    "settings",
    [ConnectionSettings(), ConnectionSettings(busy_timeout_ms=1)],
    ids=["busy-timeout", "backoff-retries"],
)
def test_worker_and_ui_threads_write_together(tmp_path: Path, settings) -> None:
    """A worker thread (imports, scores, progress) and a UI thread (annotations) at once.

    With a 1 ms busy timeout, lock waits go through the BEGIN IMMEDIATE retry loop.
    """
    with create_project(tmp_path / "p.sqlite", "p", "sequence", TOPICS, "m") as setup:
        setup.add_examples("source", sequence_examples(20))
        setup.add_examples("target", sequence_examples(6, prefix="t", labeled=False))
    store = open_project(tmp_path / "p.sqlite", connection_settings=settings)
    keys = [s.key for s in store.stored_examples("source")]
    rng = np.random.default_rng(0)
    saved: list[int] = []

    def worker() -> None:
        round_ = store.start_round("demux")
        for batch in range(12):
            store.add_examples("target", sequence_examples(300, prefix=f"w{batch}-", labeled=False))
            store.set_round_progress(round_.id, batch / 12)
            emb = rng.standard_normal((20, 16)).astype(np.float32)
            store.save_scores(f"v{batch}", round_.id, "source", np.ones(20), [0] * 20, emb)

    def ui() -> None:
        for i in range(200):
            saved.append(store.save_annotation(keys[i % 20], TOPICS[i % 3], annotator="ui").id)

    assert _run_threads(worker, ui) == []
    assert store.pool_size("target") == 6 + 12 * 300
    assert len(saved) == 200
    active = store.current_annotations()
    assert len(active) == 20  # exactly one effective annotation per example
    assert store.integrity_check() == "ok"
    store.close()


def test_begin_retries_past_a_short_busy_timeout(tmp_path: Path) -> None:
    impatient = ConnectionSettings(busy_timeout_ms=1, begin_deadline_s=30)
    store = create_project(tmp_path / "p.sqlite", "p", "sequence", TOPICS, "m")
    store.add_examples("source", sequence_examples(2))
    store.close()
    store = open_project(tmp_path / "p.sqlite", connection_settings=impatient)
    blocker = sqlite3.connect(tmp_path / "p.sqlite", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    releaser = threading.Timer(0.3, lambda: blocker.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    store.save_annotation(store.example_key("source", "s0"), "sports", annotator="a")
    assert time.monotonic() - started >= 0.2  # it did wait for the lock
    releaser.join()
    blocker.close()
    store.close()


def test_busy_past_the_deadline_raises_a_clear_error(tmp_path: Path) -> None:
    store = create_project(tmp_path / "p.sqlite", "p", "sequence", TOPICS, "m")
    store.add_examples("source", sequence_examples(1))
    store.close()
    settings = ConnectionSettings(busy_timeout_ms=1, begin_deadline_s=0.2)
    store = open_project(tmp_path / "p.sqlite", connection_settings=settings)
    blocker = sqlite3.connect(tmp_path / "p.sqlite", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(StorageBusyError, match="locked"):
        store.save_annotation(store.example_key("source", "s0"), "sports", annotator="a")
    blocker.execute("ROLLBACK")
    blocker.close()
    store.close()


def test_connections_of_finished_threads_are_closed(store) -> None:
    for _ in range(5):
        thread = threading.Thread(target=store.pool_sizes)
        thread.start()
        thread.join()
    store.pool_sizes()  # a new connection here prunes those of the finished threads
    assert store._connections.open_count() <= 2
