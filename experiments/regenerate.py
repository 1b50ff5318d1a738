"""Re-run the simulations of a study from the settings its runs recorded.

``python -m experiments.regenerate docs/results/<study folder> [--dry-run]`` finds every
``settings.json`` below the folder and runs ``python -m demux_lab simulate`` with the
arguments it recorded, writing to the same relative path under ``runs/`` (git-ignored)
instead of ``docs/results/``. The predictions, per-run tables and plots that left git come
back this way. Runs recorded before a default changed rerun with today's defaults unless
their arguments named the setting: docs/research-log.md says which flags restore the old
ones (for example ``--warm-start-weight 0`` for SIB-200 runs before that default).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = REPO / "runs"


def recorded_command(settings_file: Path, runs: Path = RUNS) -> list[str]:
    """The ``simulate`` command a run recorded, with ``--out`` moved under ``runs``.

    Raises
    ------
    ValueError
        When the file recorded no command line (``argv``).
    """
    settings = json.loads(settings_file.read_text(encoding="utf-8"))
    argv = list(settings.get("argv") or [])
    if not argv:
        raise ValueError(f"{settings_file}: no recorded command line (argv)")
    folder = settings_file.parent.resolve()
    try:
        relative = folder.relative_to(REPO / "docs" / "results")
    except ValueError:
        relative = Path(folder.name)
    out = str(runs / relative)
    if "--out" in argv:
        argv[argv.index("--out") + 1] = out
    else:
        argv += ["--out", out]
    return [sys.executable, "-m", "demux_lab", *argv]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.regenerate", description=__doc__)
    parser.add_argument("folder", type=Path, help="a study folder under docs/results")
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    files = sorted(args.folder.rglob("settings.json"))
    if not files:
        print(f"error: no settings.json below {args.folder}", file=sys.stderr)
        return 2
    for settings_file in files:
        command = recorded_command(settings_file)
        print(" ".join(command[1:]), flush=True)
        if not args.dry_run:
            subprocess.run(command, cwd=REPO, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
