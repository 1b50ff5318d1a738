"""Margin calibration on the tiny random model: held-out logits, calibrated scoring."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import log_softmax

from demux_core.config import ScoringConfig
from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.errors import DemuxError
from demux_core.models.task_model import TaskModel
from demux_core.scoring.calibration import VectorScaling
from demux_core.scoring.heldout import fit_margin_scaling, heldout_logits
from demux_core.scoring.pool import score_pool
from demux_core.scoring.rows import log_prob_margins
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
SENTENCES = tiny_model.TINY_SENTENCES
CLASSES = ("a", "b", "c")
TAGS = ("O", "B-PER", "I-PER")
CONFIG = ScoringConfig(batch_size=4)


def _sequence_heldout() -> list[SequenceExample]:
    return [
        SequenceExample(f"h{i}", "hau", s, label=CLASSES[i % 3]) for i, s in enumerate(SENTENCES)
    ]


def _token_heldout() -> list[TokenExample]:
    examples = []
    for i, sentence in enumerate(SENTENCES[:4]):
        words = tuple(sentence.split())
        tags = tuple(TAGS[(i + j) % 3] for j in range(len(words)))
        examples.append(TokenExample(f"w{i}", "hau", words, tags))
    return examples


@pytest.fixture
def sequence_model(tiny_model_dir):
    return TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=2)


def test_sequence_rows_are_the_models_logits_with_gold_indices(sequence_model, tiny_tokenizer):
    heldout = _sequence_heldout()
    logits, labels = heldout_logits(sequence_model, tiny_tokenizer, heldout, CONFIG)
    assert logits.shape == (len(heldout), 3) and logits.dtype == np.float32
    assert labels.tolist() == [i % 3 for i in range(len(heldout))]
    scores = score_pool(sequence_model, tiny_tokenizer, heldout, CONFIG, progress=False)
    expected = log_prob_margins(torch.from_numpy(logits)).numpy()
    np.testing.assert_allclose(scores.uncertainty, expected, rtol=1e-4, atol=1e-5)


def test_token_rows_are_one_per_scored_word(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "token", TAGS, seed=2)
    heldout = _token_heldout()
    logits, labels = heldout_logits(model, tiny_tokenizer, heldout, CONFIG)
    words = sum(len(example.tokens) for example in heldout)
    assert logits.shape == (words, 3)
    gold = [TAGS.index(tag) for example in heldout for tag in example.tags]
    assert labels.tolist() == gold


def test_calibrated_scoring_changes_margins_but_not_predictions(sequence_model, tiny_tokenizer):
    pool = [SequenceExample(f"s{i}", "yor", s) for i, s in enumerate(SENTENCES)]
    plain = score_pool(sequence_model, tiny_tokenizer, pool, CONFIG, progress=False)
    identity = ScoringConfig(batch_size=4, margin_scaling=VectorScaling.identity(3))
    same = score_pool(sequence_model, tiny_tokenizer, pool, identity, progress=False)
    np.testing.assert_allclose(same.uncertainty, plain.uncertainty, rtol=1e-6)
    scaling = VectorScaling((3.0, 1.0, 0.5), (0.0, 0.2, -0.4))
    calibrated = ScoringConfig(batch_size=4, margin_scaling=scaling)
    scored = score_pool(sequence_model, tiny_tokenizer, pool, calibrated, progress=False)
    assert scored.predictions == plain.predictions
    logits, _ = heldout_logits(
        sequence_model,
        tiny_tokenizer,
        [SequenceExample(e.id, e.language, e.text, label="a") for e in pool],
        CONFIG,
    )
    top2 = np.sort(log_softmax(scaling.apply(logits), axis=1), axis=1)[:, -2:]
    np.testing.assert_allclose(scored.uncertainty, top2[:, 1] - top2[:, 0], rtol=1e-4, atol=1e-5)
    assert not np.allclose(scored.uncertainty, plain.uncertainty)


def test_a_scaling_for_another_label_count_is_refused(sequence_model, tiny_tokenizer):
    config = ScoringConfig(margin_scaling=VectorScaling.identity(5))
    with pytest.raises(ValueError, match="the margin scaling has 5 classes; the model has 3"):
        score_pool(sequence_model, tiny_tokenizer, _sequence_heldout(), config, progress=False)


def test_fit_margin_scaling_returns_one_scale_and_bias_per_label(sequence_model, tiny_tokenizer):
    scaling = fit_margin_scaling(sequence_model, tiny_tokenizer, _sequence_heldout(), CONFIG)
    assert len(scaling.scales) == len(scaling.biases) == 3
    assert np.all(np.isfinite(scaling.scales + scaling.biases))


def test_bad_held_out_sets_name_the_problem(sequence_model, tiny_model_dir, tiny_tokenizer):
    unlabeled = [SequenceExample("u1", "hau", SENTENCES[0])]
    with pytest.raises(DemuxError, match="'u1' has no gold label"):
        heldout_logits(sequence_model, tiny_tokenizer, unlabeled, CONFIG)
    unknown = [SequenceExample("x1", "hau", SENTENCES[0], label="politics")]
    with pytest.raises(DemuxError, match="'x1' has label 'politics'"):
        heldout_logits(sequence_model, tiny_tokenizer, unknown, CONFIG)
    with pytest.raises(DemuxError, match="held-out set; it is empty"):
        heldout_logits(sequence_model, tiny_tokenizer, [], CONFIG)
    qa = TaskModel.from_pretrained(tiny_model_dir, "qa", (), seed=0)
    question = [QAExample("q1", "hau", "Who?", "Amina went home.", 0, "Amina")]
    with pytest.raises(DemuxError, match="not QA"):
        heldout_logits(qa, tiny_tokenizer, question, CONFIG)
