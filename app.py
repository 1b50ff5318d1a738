"""DeMuX Studio: ``streamlit run app.py``.

Pages render and call :mod:`service`; rounds run on one background worker thread.
"""

from __future__ import annotations

from demux_core.runtime import prepare_environment

# before torch or faiss load (their two OpenMP runtimes must not busy-wait against each other);
# the app may still fetch a Hugging Face model id for a user who has internet
prepare_environment(hub_offline=False)

from ui.common import render_sidebar  # noqa: E402
from ui.navigation import run_app  # noqa: E402

run_app(render_sidebar)
