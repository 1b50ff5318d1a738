"""Layering: the selection math and the round's settings load without torch or the UI.

Each check runs in a fresh interpreter, so modules imported by other tests do not count.
"""

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "streamlit", "sqlite3", "sqlite_utils")


@pytest.mark.parametrize(
    "module",
    [
        "demux_core.selection.strategies",
        "demux_core.rounds.types",
        "demux_lab.simulation.pools",
        "demux_lab.simulation.args",
        "demux_lab.simulation.flags",
        "demux_core.config",
        "demux_core.recipes",
        "demux_lab.study.goals",
        "demux_core.models.source",
        "demux_lab.simulation.config",
        "demux_core.scoring.calibration",
    ],
)
def test_module_loads_without_torch_or_the_ui(module):
    probe = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [], f"{module} imports {loaded}"
