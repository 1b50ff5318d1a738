"""Frozen-encoder features agree with score_pool (tiny random model)."""

from __future__ import annotations

import numpy as np
import pytest

from demux_core.config import ScoringConfig
from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.models.task_model import TaskModel
from demux_core.scoring.pool import score_pool
from demux_lab.frozen_head.features import FrozenFeatures, FrozenRecipeError, extract_features
from demux_lab.frozen_head.head_scoring import score_features
from demux_lab.frozen_head.head_training import LinearHead
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
TAGS = ("O", "B-PER", "I-PER")


def _head_of(model: TaskModel) -> LinearHead:
    weight = model.head.weight.detach().numpy().astype(np.float32)
    return LinearHead(weight, model.head.bias.detach().numpy().astype(np.float32), "copy")


@pytest.mark.parametrize("embedding", ["cls", "mean"])
def test_sequence_features_reproduce_score_pool(tiny_model_dir, tiny_tokenizer, embedding):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b", "c"), seed=2)
    pool = [SequenceExample(f"s{i}", "en", s) for i, s in enumerate(tiny_model.TINY_SENTENCES)]
    config = ScoringConfig(batch_size=3, embedding=embedding)
    features = extract_features(model, tiny_tokenizer, pool, config, progress=False)
    reference = score_pool(model, tiny_tokenizer, pool, config, progress=False)
    assert features.embeddings.shape == reference.embeddings.shape
    assert np.allclose(features.embeddings, reference.embeddings, atol=1e-5)
    head_scores = score_features(_head_of(model), features, model.labels)
    assert np.allclose(head_scores.uncertainty, reference.uncertainty, atol=1e-4)
    assert head_scores.predictions == reference.predictions


def test_token_features_reproduce_score_pool_including_cut_words(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "token", TAGS, seed=3)
    pool = [
        TokenExample(f"t{i}", "en", tuple(s.split()))
        for i, s in enumerate(tiny_model.TINY_SENTENCES)
    ]
    config = ScoringConfig(batch_size=4, max_length=6)  # cuts the longer sentences
    features = extract_features(model, tiny_tokenizer, pool, config, progress=False)
    reference = score_pool(model, tiny_tokenizer, pool, config, progress=False)
    words = sum(len(e.tokens) for e in pool)
    assert features.head_inputs.shape == (words, model.hidden_size)
    assert not features.word_valid.all()  # some words were cut
    assert np.allclose(features.embeddings, reference.embeddings, atol=1e-5)
    head_scores = score_features(_head_of(model), features, model.labels, "min")
    assert np.allclose(head_scores.uncertainty, reference.uncertainty, atol=1e-4)
    assert head_scores.predictions == reference.predictions


def test_features_are_cached_by_content(tiny_model_dir, tiny_tokenizer, tmp_path):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=0)
    pool = [SequenceExample(f"s{i}", "en", s) for i, s in enumerate(tiny_model.TINY_SENTENCES[:4])]
    first = extract_features(model, tiny_tokenizer, pool, progress=False, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("*.npz")
    loaded = FrozenFeatures.load(cached)
    assert np.array_equal(loaded.embeddings, first.embeddings)
    assert loaded.model_version == model.model_version and loaded.task is first.task
    other = extract_features(model, tiny_tokenizer, pool[:3], progress=False, cache_dir=tmp_path)
    assert len(other) == 3 and len(list(tmp_path.glob("*.npz"))) == 2


def test_qa_and_empty_pools_are_refused(tiny_model_dir, tiny_tokenizer):
    qa = TaskModel.from_pretrained(tiny_model_dir, "qa")
    example = QAExample("q", "en", "Who?", "Amina went home.")
    with pytest.raises(FrozenRecipeError, match="token, sequence and pair"):
        extract_features(qa, tiny_tokenizer, [example], progress=False)
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"))
    with pytest.raises(FrozenRecipeError, match="empty pool"):
        extract_features(model, tiny_tokenizer, [], progress=False)
