"""DeMuX Studio: ``streamlit run app.py``.

Pages render and call :mod:`service`; rounds run on one background worker thread.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from ui.common import render_sidebar  # noqa: E402
from ui.navigation import run_app  # noqa: E402

run_app(render_sidebar)
