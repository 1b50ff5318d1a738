"""Fixtures shared by the browser tests."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_server import CHROMIUM, streamlit_app


@pytest.fixture
def fake_app(tmp_path, shared_data):
    """(app URL, projects folder) of a server with the fake runner and the real demo data."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    env = {"DEMUX_RUNNER": "fake", "DEMUX_DATA": str(shared_data),
           "DEMUX_DEMO_SOURCE_PER_LANGUAGE": "30"}  # fmt: skip
    projects = tmp_path / "projects"
    with streamlit_app(projects, tmp_path / "streamlit.log", env) as url:
        yield url, projects
