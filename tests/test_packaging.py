"""The project installs as a package whose dependencies are the README's pinned lists."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pins(path: Path) -> list[str]:
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return [line for line in lines if line and not line.startswith("-r")]


def test_pyproject_reads_its_dependencies_from_requirements_txt():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    assert "dependencies" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]
    assert pins(REPO / "requirements.txt")  # the file setuptools reads is a plain pin list


def test_the_scale_extra_matches_requirements_scale_txt():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["optional-dependencies"]["scale"] == pins(
        REPO / "requirements-scale.txt"
    )


def test_every_package_is_found():
    from setuptools import find_packages

    include = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]["find"]["include"]
    found = set(find_packages(str(REPO), include=include))
    assert {"demux_core", "demux_core.selection", "demux_lab.simulation", "service", "storage",
            "ui.widgets", "bench", "experiments"} <= found  # fmt: skip
