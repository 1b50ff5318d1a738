"""Every relative link in the README and docs/ points at a file or folder of the repository.

The research log (docs/research-log.md) is kept as written; the run outputs it links to
(predictions, per-run tables and plots) left git for a git-ignored ``runs/`` folder. Its
link to such a file is accepted while the folder still holds the record the file is made
from again: a run's ``settings.json`` (``python -m experiments.regenerate``) or a study's
``study.md`` (``python -m demux_lab study`` over its runs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def relative_links(page: Path) -> list[str]:
    """The link targets of a markdown page that are neither web addresses nor in-page anchors."""
    targets = LINK.findall(page.read_text(encoding="utf-8"))
    return [t for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


RESEARCH_LOG = ROOT / "docs" / "research-log.md"
RECORDS = ("settings.json", "study.md")


def resolves(page: Path, target: str) -> bool:
    """Whether the link exists, or (research log only) can be regenerated from its folder."""
    path = page.parent / target.split("#", 1)[0]
    if path.exists():
        return True
    return page == RESEARCH_LOG and any((path.parent / record).exists() for record in RECORDS)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_relative_links_resolve(page):
    missing = [target for target in relative_links(page) if not resolves(page, target)]
    assert missing == [], f"{page.relative_to(ROOT)} links to missing files: {missing}"


def test_the_link_finder_skips_web_addresses_and_anchors(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[a](docs/x.md) [b](https://example.org) [c](#top) [d](y.png#frag)\n")
    assert relative_links(page) == ["docs/x.md", "y.png#frag"]
