"""Helper process for test_creation_crash.py: creates a project from files until killed.

Usage: ``python create_worker.py PROJECTS_DIR SOURCE TARGET NAME``; prints ``started``
just before the creation begins and ``done`` when it returned.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from demux_core.runtime import prepare_environment  # noqa: E402

prepare_environment()  # before torch or faiss load


def main() -> None:
    projects, source, target, name = sys.argv[1:5]
    os.environ["DEMUX_PROJECTS"] = projects
    from service.projects import NewProject, PoolFile, create_project_from_files

    new = NewProject(name, "sequence", ("a", "b"))
    files = [PoolFile("source", Path(source), {"language": "eng"}),
             PoolFile("target", Path(target), {"language": "hau"})]  # fmt: skip
    print("started", flush=True)
    create_project_from_files(new, files)
    print("done", flush=True)


if __name__ == "__main__":
    main()
