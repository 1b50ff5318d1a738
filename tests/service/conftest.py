import pytest


@pytest.fixture
def demux_home(tmp_path, monkeypatch):
    """A fresh ``$DEMUX_HOME`` for the test."""
    monkeypatch.setenv("DEMUX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEMUX_PROJECTS", raising=False)
    return tmp_path / "home"
