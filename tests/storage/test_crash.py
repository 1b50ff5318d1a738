"""kill -9 at random moments loses no saved annotation (of either annotator of an overlap
item) and leaves a healthy file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from storage import create_project, open_project
from tests.storage.conftest import TOPICS, sequence_examples

WORKER = Path(__file__).with_name("crash_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(path: Path, seed: int, delay_s: float) -> list[str]:
    """Start the worker, kill -9 it ``delay_s`` after its first saved annotation."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}  # the worker prepares its runtime
    process = subprocess.Popen(
        [sys.executable, str(WORKER), str(path), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    first = threading.Event()

    def collect() -> None:
        for line in process.stdout:
            lines.append(line)
            first.set()

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    if not first.wait(timeout=60):
        process.kill()
        pytest.fail(f"worker printed nothing: {process.stderr.read()}")
    time.sleep(delay_s)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    reader.join(timeout=30)
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    return [line for line in lines if line.endswith("\n")]


@pytest.mark.slow
def test_kill_minus_nine_loses_no_saved_annotation(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    with create_project(path, "crash", "sequence", TOPICS, "m") as store:
        store.add_examples("source", sequence_examples(2000))
    rng = random.Random(1234)
    printed: list[tuple[int, int, str, str, str]] = []
    for seed in range(4):
        lines = _run_and_kill(path, seed, delay_s=rng.uniform(0.2, 1.5))
        printed += [(int(a), int(k), label, who, slot)
                    for a, k, label, who, slot in (ln.split() for ln in lines)]  # fmt: skip
        with open_project(path) as store:
            assert store.integrity_check() == "ok"
            for annotation_id, key, label, who, slot in printed:
                saved = store.get_annotation(annotation_id)
                assert (saved.example_key, saved.labels, saved.annotator, saved.slot) == (
                    key, label, who, slot)  # fmt: skip
            assert (store.pool_size("target")) % 3000 == 0  # imports are all or nothing
            for version in store.model_versions():
                unc, preds, emb = store.load_scores(version, "source")
                assert emb.shape == (2000, 384) and len(unc) == len(preds) == 2000
    assert len(printed) > 20
    assert {slot for *_, slot in printed} == {"first", "second"}
