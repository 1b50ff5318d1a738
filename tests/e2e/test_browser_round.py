"""End to end in a real browser: demo project -> label with the keyboard -> next round -> map.

Starts ``streamlit run app.py`` on a free port with a temporary ``$DEMUX_HOME`` and drives
Debian's chromium through Playwright. Rounds use the fake runner (seconds) unless
``DEMUX_E2E_RUNNER=real`` (the real model: several minutes on a CPU). Screenshots of each
page go to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
MODEL_CACHE = Path.home() / ".cache" / "demux-studio" / "models"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
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


@pytest.fixture
def app_url(tmp_path, shared_data):
    home = tmp_path / "home"
    home.mkdir()
    if MODEL_CACHE.is_dir():
        (home / "models").symlink_to(MODEL_CACHE)
    runner = os.environ.get("DEMUX_E2E_RUNNER", "fake")
    env = {**os.environ, "DEMUX_HOME": str(home), "DEMUX_RUNNER": runner, "DEMUX_DATA": str(shared_data),
           "OMP_WAIT_POLICY": "PASSIVE"}  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1",
               "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]  # fmt: skip
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.mark.browser
@pytest.mark.shared_data
@pytest.mark.slow
def test_demo_round_in_browser(app_url):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    round_timeout = 900_000 if os.environ.get("DEMUX_E2E_RUNNER") == "real" else 60_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url)
        create = page.get_by_role("button", name="Create demo project").first
        expect(create).to_be_visible(timeout=30_000)
        page.screenshot(path=SCREENSHOTS / "1-projects.png", full_page=True)
        create.click()

        progress = page.get_by_text("0 of 20 labeled this round")
        expect(progress).to_be_visible(timeout=round_timeout)
        page.screenshot(path=SCREENSHOTS / "2-annotate.png", full_page=True)
        for done in (1, 2, 3):
            page.get_by_role("heading", name="Annotate").click()
            page.keyboard.press(str(done))  # digit = one of the 7 topics
            expect(page.get_by_text(f"{done} of 20 labeled this round")).to_be_visible(
                timeout=20_000
            )
        page.keyboard.press("u")  # undo the last label
        expect(page.get_by_text("2 of 20 labeled this round")).to_be_visible(timeout=20_000)

        page.get_by_role("button", name="Finish round").click()
        expect(page.get_by_role("heading", name="Round 2")).to_be_visible(timeout=round_timeout)
        expect(page.get_by_text("0 of 20 labeled this round")).to_be_visible(timeout=30_000)

        page.get_by_role("link", name="Map").click()
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        expect(page.get_by_text("nearest source points of target")).to_be_visible(timeout=30_000)
        page.screenshot(path=SCREENSHOTS / "3-map.png", full_page=True)

        page.get_by_role("link", name="Rounds").click()
        expect(page.get_by_text("Learning curve")).to_be_visible(timeout=30_000)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        page.screenshot(path=SCREENSHOTS / "4-rounds.png", full_page=True)

        page.get_by_role("link", name="Export").click()
        expect(page.get_by_role("button", name="JSON Lines")).to_be_visible(timeout=30_000)
        page.screenshot(path=SCREENSHOTS / "5-export.png", full_page=True)
        browser.close()
