"""Export of the effective labels, and import of what was exported."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storage import create_project
from tests.storage.conftest import NER_TYPES, TOPICS, sequence_examples, token_examples


def _annotate(store) -> None:
    """Label s0 and s1 (s1 corrected), skip s2, flag s3; skip the seed example seed1."""
    key = lambda pool, ident: store.example_key(pool, ident)  # noqa: E731
    store.save_annotation(key("source", "s0"), "travel", annotator="a")
    store.save_annotation(key("source", "s1"), "science", annotator="a")
    store.save_annotation(key("source", "s1"), "sports", annotator="b")
    store.save_annotation(key("source", "s2"), None, annotator="a", kind="skip")
    store.save_annotation(key("source", "s3"), None, annotator="a", kind="flag")
    store.save_annotation(key("seed", "seed1"), None, annotator="a", kind="flag")


def test_labeled_examples_use_effective_labels(store) -> None:
    store.add_examples("seed", sequence_examples(3, prefix="seed"))
    _annotate(store)
    labeled = store.labeled_examples()
    assert [(e.id, e.label) for e in labeled] == [
        ("seed0", "science"),
        ("seed2", "travel"),
        ("s0", "travel"),
        ("s1", "sports"),
    ]
    assert store.labeled_examples(["target"]) == []


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "hf"])
def test_sequence_export_imports_back_equal(store, tmp_path: Path, fmt: str) -> None:
    pytest.importorskip("demux_core.data.readers.writers")
    store.add_examples("seed", sequence_examples(3, prefix="seed"))
    _annotate(store)
    out = tmp_path / f"export.{fmt}" if fmt != "hf" else tmp_path / "export_hf"
    assert store.export_labeled(out, fmt) == 4
    fresh = create_project(tmp_path / "fresh.sqlite", "fresh", "sequence", TOPICS, "m")
    fresh.import_examples("seed", out)
    assert fresh.pool_examples("seed") == store.labeled_examples()
    fresh.close()


def test_conll_export_imports_back_equal(token_store, tmp_path: Path) -> None:
    pytest.importorskip("demux_core.data.readers.writers")
    token_store.add_examples("source", token_examples(3))
    key = token_store.example_key("source", "t1")
    token_store.save_annotation(key, ("B-LOC", "O", "O"), annotator="a")
    assert token_store.export_labeled(tmp_path / "out.conll", "conll") == 1
    expected = [dataclasses.replace(token_examples(3)[1], tags=("B-LOC", "O", "O"))]
    fresh = create_project(tmp_path / "f.sqlite", "f", "token", NER_TYPES, "m")
    fresh.import_examples("seed", tmp_path / "out.conll")
    assert fresh.pool_examples("seed") == expected
    fresh.close()


def test_export_refuses_unknown_format_and_conll_for_sequences(store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        store.export_labeled(tmp_path / "x", "xlsx")
    with pytest.raises(ValueError, match="token task"):
        store.export_labeled(tmp_path / "x.conll", "conll")
