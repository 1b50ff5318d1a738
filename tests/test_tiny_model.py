"""The tiny test model is the same in every process (its tokenizer's vocabulary decides how
its training losses move, which the fine-tuning tests bound)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRINT_VOCAB = (
    "from tests.fixtures.tiny_model import build_tiny_tokenizer; "
    "print(sorted(build_tiny_tokenizer().get_vocab().items()))"
)


def test_two_processes_build_the_same_tokenizer() -> None:
    vocabularies = [
        subprocess.run([sys.executable, "-c", PRINT_VOCAB], cwd=ROOT, capture_output=True,
                       text=True, check=True).stdout
        for _ in range(3)
    ]  # fmt: skip
    assert vocabularies[0] and vocabularies.count(vocabularies[0]) == 3
