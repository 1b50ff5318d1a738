"""Loaders on the tiny converted folder: tokenizer, encoder, both task heads."""

from __future__ import annotations

from pathlib import Path

import pytest

from demux_core.errors import ModelSpecError
from demux_core.models import (
    load_encoder,
    load_sequence_classifier,
    load_token_classifier,
    load_tokenizer,
)


def test_tokenizer_loads_offline(tiny_model_dir: Path) -> None:
    tokenizer = load_tokenizer(str(tiny_model_dir))
    assert tokenizer("Ab")["input_ids"] == [0, 6, 2]
    assert tokenizer.pad_token_id == 1


def test_encoder_has_no_pooler(tiny_model_dir: Path) -> None:
    model = load_encoder(str(tiny_model_dir))
    assert model.config.model_type == "xlm-roberta"
    assert getattr(model, "pooler", None) is None
    assert not model.training


def test_token_classifier_gets_the_labels(tiny_model_dir: Path) -> None:
    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    model = load_token_classifier(str(tiny_model_dir), labels)
    assert model.config.num_labels == 5
    assert model.config.id2label[3] == "B-LOC"
    assert model.config.label2id["I-PER"] == 2
    assert model.classifier.out_features == 5


def test_sequence_classifier_gets_the_labels(tiny_model_dir: Path) -> None:
    model = load_sequence_classifier(str(tiny_model_dir), ["sports", "health", "politics"])
    assert model.config.num_labels == 3
    assert model.classifier.out_proj.out_features == 3


def test_duplicate_labels_are_rejected(tiny_model_dir: Path) -> None:
    with pytest.raises(ValueError, match="'O'"):
        load_token_classifier(str(tiny_model_dir), ["O", "B-PER", "O"])


def test_missing_folder_raises_model_spec_error(tmp_path: Path) -> None:
    with pytest.raises(ModelSpecError, match="gone"):
        load_encoder(str(tmp_path / "gone"))
