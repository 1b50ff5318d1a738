"""``python -m demux_lab simulate|study``: see :mod:`demux_lab.cli`."""

import sys

from demux_core.runtime import prepare_environment  # noqa: E402

prepare_environment()  # before torch or faiss load

from demux_lab.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
