"""``python -m demux_lab simulate|study``: see :mod:`demux_lab.cli`."""

import os
import sys

# Before torch or faiss load: their two OpenMP runtimes must not busy-wait against each other.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from demux_lab.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
