"""The README's "What is where" table matches the tree: every path it names exists, and it
names every top-level folder and every subpackage of the libraries."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ("demux_core", "demux_lab", "ui")


def table_paths() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What is where", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.match(r"\| `([^`]+)`", row).group(1).rstrip("/") for row in rows]


def test_every_path_in_the_table_exists():
    assert [path for path in table_paths() if not (ROOT / path).exists()] == []


def test_the_table_names_every_top_level_folder_and_subpackage():
    named = set(table_paths())
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")}
    folders = {name for name in folders if not name.endswith(".egg-info")}  # pip install -e .
    folders -= {"runs", "projects", "__pycache__"}
    subpackages = {
        f"{library}/{p.name}"
        for library in LIBRARIES
        for p in (ROOT / library).iterdir()
        if (p / "__init__.py").exists()
    }
    assert sorted((folders | subpackages) - named) == []


def test_the_readme_stays_short_for_users():
    """Users read the README; the evidence and the notebook live in docs/findings.md and
    docs/research-log.md."""
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) <= 10_500


def test_docs_hold_summaries_not_run_outputs():
    """Run outputs (predictions, per-run tables) are regenerated into runs/, not tracked."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "docs"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()  # fmt: skip
    assert not [name for name in listed if name.endswith((".jsonl", "results.csv"))]
    assert sum((ROOT / name).stat().st_size for name in listed) < 5_000_000
