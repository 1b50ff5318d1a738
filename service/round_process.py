"""Running a real round in a child process, so the Streamlit server stays responsive.

Training and scoring in the server process compete with it for the GIL (tokenising, the
Python parts of the training loop) and for the CPU. The worker thread therefore starts
``python -m service.round_process <project file> <round id>`` and waits for it: the child
opens its own store connection, lowers its priority (``nice``), runs
:class:`service.store_runner.StoreRoundRunner` and writes progress and results through the
store, exactly as the in-thread runner does. When the child fails, its last error line
becomes the round's error. A child whose parent died (app killed) exits within a second,
so a restarted app can resume the round without two runners writing to it.

``$DEMUX_ROUND_NICE`` (default 10) sets the child's niceness; ``$DEMUX_ROUND_THREADS`` its
torch thread count (default: torch's own choice, one per core).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ERROR_PREFIX = "DEMUX-ROUND-ERROR: "
NICE_ENV = "DEMUX_ROUND_NICE"
THREADS_ENV = "DEMUX_ROUND_THREADS"
DEFAULT_NICE = 10
ORPHAN_POLL_S = 1.0
STDERR_TAIL_LINES = 15


class RoundProcessError(RuntimeError):
    """The round's child process failed; the message is its error."""


TWIN_FLAG = "--twin"
TWIN_NICE_ENV = "DEMUX_TWIN_NICE"
DEFAULT_TWIN_NICE = 15  # below the rounds' own priority
STOP_POLL_S = 0.3


def round_command(project_path: Path, round_id: int, twin: bool = False) -> list[str]:
    """The command line of the child that runs ``round_id`` of ``project_path`` (``twin``:
    the round's random twin, :mod:`service.twin`)."""
    flag = [TWIN_FLAG] if twin else []
    return [sys.executable, "-m", "service.round_process", *flag, str(project_path), str(round_id)]


def child_error(returncode: int, stderr: str) -> str:
    """The error to store for a failed child: its error line, else the tail of its stderr."""
    lines = stderr.splitlines()
    marked = [line[len(ERROR_PREFIX) :] for line in lines if line.startswith(ERROR_PREFIX)]
    if marked:
        return marked[-1]
    tail = "\n".join(lines[-STDERR_TAIL_LINES:])
    return f"the round process exited with status {returncode}" + (f":\n{tail}" if tail else "")


def run_round_in_child(project_path: Path, round_id: int) -> None:
    """Run one round in a child process and wait for it.

    Raises
    ------
    RoundProcessError
        When the child exits with a non-zero status (the message is its error).
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)}  # fmt: skip
    process = subprocess.run(
        round_command(project_path, round_id), cwd=REPO_ROOT, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, errors="replace", check=False,
    )  # fmt: skip
    if process.returncode != 0:
        raise RoundProcessError(child_error(process.returncode, process.stderr))


def run_twin_in_child(project_path: Path, round_id: int, should_stop) -> bool:
    """Run the round's random twin in a child process; stop it (returning False) as soon as
    ``should_stop()`` is true.

    Raises
    ------
    RoundProcessError
        When the child fails (the message is its error).
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)}  # fmt: skip
    with tempfile.TemporaryFile("w+", errors="replace") as stderr:
        process = subprocess.Popen(round_command(project_path, round_id, twin=True), cwd=REPO_ROOT,
                                   env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=stderr, text=True)  # fmt: skip
        while process.poll() is None:
            if should_stop():
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                return False
            time.sleep(STOP_POLL_S)
        if process.returncode != 0:
            stderr.seek(0)
            raise RoundProcessError(child_error(process.returncode, stderr.read()))
    return True


def _exit_when_orphaned(parent: int) -> None:
    """A daemon thread that ends this process once its parent is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_POLL_S)
        os._exit(3)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _lower_priority(twin: bool = False) -> None:
    if twin:
        nice = int(os.environ.get(TWIN_NICE_ENV, DEFAULT_TWIN_NICE))
    else:
        nice = int(os.environ.get(NICE_ENV, DEFAULT_NICE))
    if nice > 0:
        os.nice(nice)


def child_main(argv: list[str]) -> int:
    """Entry point of the child: ``[--twin] <project file> <round id>``; exit status 0 on
    success."""
    _exit_when_orphaned(os.getppid())
    from demux_core.runtime import prepare_environment

    twin = bool(argv) and argv[0] == TWIN_FLAG
    argv = argv[1:] if twin else argv
    prepare_environment()
    _lower_priority(twin)
    project_path, round_id = Path(argv[0]), int(argv[1])
    threads = os.environ.get(THREADS_ENV)
    if threads:
        from demux_core.runtime import configure_threads

        configure_threads(int(threads))
    from service.projects import open_store
    from service.store_runner import StoreRoundRunner

    store = open_store(project_path)

    def progress(stage: str, fraction: float) -> None:
        store.set_round_progress(round_id, min(max(float(fraction), 0.0), 1.0), stage=stage)

    try:
        if twin:
            from service.twin import run_twin

            run_twin(store, round_id)
        else:
            StoreRoundRunner().run(store, round_id, progress)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which stores it
        traceback.print_exc()
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        print(ERROR_PREFIX + " ".join(detail.splitlines()), file=sys.stderr, flush=True)
        return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
