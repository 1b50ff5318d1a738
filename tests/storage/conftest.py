"""Small projects made in fixtures for the storage tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from storage import ProjectStore, create_project

TOPICS = ("science", "sports", "travel")
NER_TYPES = ("PER", "LOC")


def sequence_examples(n: int, prefix: str = "s", labeled: bool = True) -> list[SequenceExample]:
    """``n`` sequence examples with ids ``<prefix><i>``, alternating languages."""
    return [
        SequenceExample(
            f"{prefix}{i}",
            "hau" if i % 2 else "yor",
            f"sentence number {i}",
            None,
            TOPICS[i % 3] if labeled else None,
        )
        for i in range(n)
    ]


def token_examples(n: int, prefix: str = "t") -> list[TokenExample]:
    """``n`` three-word token examples tagged ``B-PER O B-LOC``."""
    return [
        TokenExample(f"{prefix}{i}", "hau", (f"Ada{i}", "went", "Kano"), ("B-PER", "O", "B-LOC"))
        for i in range(n)
    ]


def qa_examples(n: int) -> list[QAExample]:
    """``n`` QA examples whose answer is the word ``Kano``."""
    return [
        QAExample(f"q{i}", "hau", f"where {i}?", "She went to Kano.", 12, "Kano") for i in range(n)
    ]


@pytest.fixture
def store(tmp_path: Path) -> ProjectStore:
    """A sequence-classification project with 20 source and 6 target examples."""
    project = create_project(tmp_path / "p.sqlite", "p", "sequence", TOPICS, "tiny-model", {"k": 3})
    project.add_examples("source", sequence_examples(20))
    project.add_examples("target", sequence_examples(6, prefix="t", labeled=False))
    yield project
    project.close()


@pytest.fixture
def token_store(tmp_path: Path) -> ProjectStore:
    """A token (NER) project whose schema lists entity types."""
    project = create_project(tmp_path / "ner.sqlite", "ner", "token", NER_TYPES, "tiny-model")
    yield project
    project.close()
