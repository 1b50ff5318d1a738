"""``python -m demux_core``: the experiment commands moved to the research harness.

The product library never imports the harness, so this only says where the commands are.
"""

import sys

MOVED = (
    "the simulate and study commands moved to the research harness: run "
    "`python -m demux_lab {command}` instead of `python -m demux_core {command}`"
)

if __name__ == "__main__":
    command = " ".join(sys.argv[1:]) or "simulate ..."
    print(MOVED.format(command=command), file=sys.stderr)
    sys.exit(2)
