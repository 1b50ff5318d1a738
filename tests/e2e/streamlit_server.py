"""Start ``streamlit run app.py`` on a free port and drive it with Debian's chromium.

Shared by the browser tests and ``bench/bench_ui_latency.py``. Projects go to a scratch
``$DEMUX_PROJECTS`` folder; ``$DEMUX_HOME`` is left alone, so the converted default model
in ``$DEMUX_HOME/models`` (default ``~/.cache/demux-studio/models``) is reused.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")  # fmt: skip
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    """Block until Streamlit's health endpoint answers 200.

    Raises
    ------
    RuntimeError
        When the server process exits first.
    TimeoutError
        When it does not answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url}")


@contextlib.contextmanager
def streamlit_app(
    projects: Path, log_path: Path, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Run the app with projects under ``projects``; yields its URL, stops it afterwards.

    Parameters
    ----------
    projects : Path
        Becomes ``$DEMUX_PROJECTS`` (created if missing).
    log_path : Path
        The server's stdout and stderr go there (read it when a test fails).
    env : mapping, optional
        Extra environment variables (``DEMUX_RUNNER``, ``DEMUX_DATA`` ...).
    """
    projects.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "DEMUX_PROJECTS": str(projects),
                "HF_HUB_OFFLINE": "1", **(env or {})}  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1",
               "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@contextlib.contextmanager
def browser_pages(count: int, width: int = 1400, height: int = 1000) -> Iterator[list]:
    """``count`` Playwright pages in headless Debian chromium, each in its own browser
    context (like two people's browsers); closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        try:
            yield [
                browser.new_context(viewport={"width": width, "height": height}).new_page()
                for _ in range(count)
            ]
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator:
    """A Playwright page in headless Debian chromium (closed afterwards)."""
    with browser_pages(1, width, height) as pages:
        yield pages[0]


def enter_annotator_name(page, name: str, timeout_ms: float = 60_000) -> None:
    """Type the annotator's name where the Annotate page asks for it."""
    from playwright.sync_api import expect

    field = page.get_by_label("Your name")
    expect(field).to_be_visible(timeout=timeout_ms)
    field.fill(name)
    field.press("Enter")
    expect(field).to_be_hidden(timeout=timeout_ms)


def create_demo(page, key: str, timeout_ms: float = 60_000) -> None:
    """Press a demo's create button (``key``: ``sib200`` or ``masakhaner2``), give the name
    "ana" and wait for round 1's points."""
    from playwright.sync_api import expect

    page.locator(f".st-key-demo_{key} button").click()
    enter_annotator_name(page, "ana", timeout_ms)
    expect(page.get_by_text("0 of 20 labeled this round")).to_be_visible(timeout=timeout_ms)


def label_every_pick(page, total: int = 20, key: str = "1", timeout_ms: float = 60_000) -> None:
    """Label the round's ``total`` picks with one digit key each, waiting for every save (the
    last one ends the round, so its count is not awaited)."""
    from playwright.sync_api import expect

    for done in range(1, total + 1):
        expect(page.locator(".demux-meta")).to_be_visible(timeout=timeout_ms)
        page.get_by_role("heading", name="Annotate").click()  # focus the page, not a widget
        page.keyboard.press(key)
        if done < total:
            expect(page.get_by_text(f"{done} of {total} labeled this round")).to_be_visible(
                timeout=timeout_ms
            )


def stored_project(folder: Path, monkeypatch, new, pools) -> Path:
    """Create ``new`` with ``pools`` under ``folder/projects`` (made ``$DEMUX_PROJECTS``, so a
    server started on that folder lists it); returns the project file."""
    from service.projects import create_project_from_pools

    monkeypatch.setenv("DEMUX_PROJECTS", str(folder / "projects"))
    return create_project_from_pools(new, pools)


def sign_in(page, name: str, password: str) -> None:
    """Fill in and send the sign-in form the page shows."""
    page.get_by_label("Account name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def require_chromium() -> None:
    """Skip the calling test, with the reason, where Debian's chromium is absent."""
    import pytest

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")


def small_sequence_project(folder: Path, monkeypatch, name: str, pools=None, model=None,
                           **settings) -> Path:  # fmt: skip
    """A small sequence project (topics ``sports``, ``health``, ``politics``) under
    ``folder/projects``, with ``k=2`` and ``settings`` (:class:`ProjectSettings`), after
    :func:`require_chromium`. ``pools``: the factories' 12 source sentences unless given;
    ``model``: the default model unless given. Returns the project file."""
    from service.projects import NewProject, ProjectSettings
    from tests.service.factories import TOPICS, sequence_pools

    require_chromium()
    extra = (model,) if model else ()
    new = NewProject(name, "sequence", TOPICS, *extra, settings=ProjectSettings(k=2, **settings))
    return stored_project(folder, monkeypatch, new, pools or sequence_pools(n_source=12))


def start_round_one(page, url: str, project: str, timeout_ms: float = 60_000) -> None:
    """Open the project's Annotate page, start round 1 and sign as "ana"."""
    page.goto(f"{url}/annotate?project={project}")
    page.get_by_role("button", name="Start round 1").click()
    enter_annotator_name(page, "ana", timeout_ms)
