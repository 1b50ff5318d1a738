"""One local Ray instance for the whole test session (starting Ray takes seconds)."""

from __future__ import annotations

import pytest

from demux_core.runtime import ENVIRONMENT_DEFAULTS


@pytest.fixture(scope="session")
def ray_session():
    """A local Ray with 2 CPUs, shut down at the end; skips when Ray is not installed."""
    ray = pytest.importorskip(
        "ray", reason="ray is not installed: pip install -r requirements-scale.txt"
    )
    pytest.importorskip(
        "ray.data", reason="ray[data] extra missing: pip install -r requirements-scale.txt"
    )
    started = not ray.is_initialized()
    if started:
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": dict(ENVIRONMENT_DEFAULTS)},
        )
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    if started:
        ray.shutdown()
