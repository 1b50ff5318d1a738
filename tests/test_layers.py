"""The product never imports the research harness (``demux_lab``).

Static: every ``import``/``from`` in the product's modules (the AST, not a string search,
so a docstring may still name the harness). Dynamic: loading the app's and library's entry
modules in a fresh interpreter leaves ``demux_lab`` out of ``sys.modules``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("demux_core", "service", "storage", "ui", "pages")
LAB = "demux_lab"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def product_files() -> list[Path]:
    return [path for package in PRODUCT for path in sorted((REPO / package).rglob("*.py"))] + [
        REPO / "app.py"
    ]


def test_no_product_module_imports_the_harness():
    offenders = {
        str(path.relative_to(REPO)): sorted(name for name in imported_modules(path)
                                            if name == LAB or name.startswith(LAB + "."))
        for path in product_files()
    }  # fmt: skip
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_sees_a_harness_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom demux_lab.cli import main\n", encoding="utf-8")
    assert "demux_lab.cli" in imported_modules(probe)


@pytest.mark.parametrize(
    "module",
    ["demux_core.selection.strategies", "demux_core.rounds.round", "service.store_runner", "service.projects",
     "storage", "demux_core.data.readers"],
)  # fmt: skip
def test_loading_product_modules_leaves_the_harness_unloaded(module):
    probe = f"import sys, {module}; print(any(m.split('.')[0] == {LAB!r} for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=REPO)  # fmt: skip
    assert result.stdout.strip() == "False"


def test_python_m_demux_core_points_to_the_new_command():
    result = subprocess.run([sys.executable, "-m", "demux_core", "simulate", "--help"],
                            capture_output=True, text=True, cwd=REPO)  # fmt: skip
    assert result.returncode == 2
    assert "python -m demux_lab simulate --help" in result.stderr
