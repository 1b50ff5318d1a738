"""score_pool on the tiny random model (plus a real-model check marked real_model)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demux_core.config import ScoringConfig
from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.errors import SelectionError
from demux_core.models.features import encode_examples, pad_batch
from demux_core.models.task_model import TaskModel
from demux_core.scoring.pool import score_pool
from tests.fixtures import tiny_model

# Fixtures shared through the module namespace (pytest collects them from here).
tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
TINY_SENTENCES = tiny_model.TINY_SENTENCES

TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")
LONG_WORD = "Supercalifragilisticexpialidocious"


def _token_pool() -> list[TokenExample]:
    pool = [TokenExample(f"t{i}", "en", tuple(s.split())) for i, s in enumerate(TINY_SENTENCES)]
    pool.append(TokenExample("long", "en", ("Amina", LONG_WORD, "in", "Lagos")))
    pool.append(TokenExample("one", "en", ("Hi",)))
    return pool


def _sequence_pool() -> list[SequenceExample]:
    return [SequenceExample(f"s{i}", "en", s) for i, s in enumerate(TINY_SENTENCES)]


@pytest.fixture
def token_model(tiny_model_dir):
    return TaskModel.from_pretrained(tiny_model_dir, "token", TAGS, seed=1)


@pytest.fixture
def sequence_model(tiny_model_dir):
    return TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b", "c"), seed=1)


def test_token_scores_shapes_and_types(token_model, tiny_tokenizer):
    pool = _token_pool()
    scores = score_pool(
        token_model, tiny_tokenizer, pool, ScoringConfig(batch_size=4), progress=False
    )
    assert scores.embeddings.shape == (len(pool), 32) and scores.embeddings.dtype == np.float32
    assert scores.uncertainty.shape == (len(pool),) and scores.uncertainty.dtype == np.float32
    assert np.all(scores.uncertainty >= 0) and np.all(np.isfinite(scores.embeddings))
    assert scores.example_ids == tuple(e.id for e in pool)
    assert scores.model_version == token_model.model_version
    for example, tags in zip(pool, scores.predictions, strict=True):
        assert len(tags) == len(example.tokens) and set(tags) <= set(TAGS)


@pytest.mark.parametrize("sort_by_length", [True, False])
def test_input_order_matches_scoring_alone(token_model, tiny_tokenizer, sort_by_length):
    pool = _token_pool()
    config = ScoringConfig(batch_size=3, sort_by_length=sort_by_length)
    together = score_pool(token_model, tiny_tokenizer, pool, config, progress=False)
    for index, example in enumerate(pool):
        alone = score_pool(token_model, tiny_tokenizer, [example], config, progress=False)
        np.testing.assert_allclose(together.embeddings[index], alone.embeddings[0], atol=1e-5)
        np.testing.assert_allclose(together.uncertainty[index], alone.uncertainty[0], atol=1e-5)
        assert together.predictions[index] == alone.predictions[0]


def test_aggregations_are_ordered(token_model, tiny_tokenizer):
    pool = _token_pool()
    by = {
        how: score_pool(
            token_model, tiny_tokenizer, pool, ScoringConfig(aggregation=how), progress=False
        )
        for how in ("min", "mean", "max")
    }
    assert np.all(by["min"].uncertainty <= by["mean"].uncertainty + 1e-6)
    assert np.all(by["mean"].uncertainty <= by["max"].uncertainty + 1e-6)
    assert np.any(by["min"].uncertainty < by["max"].uncertainty)


def test_fine_tuned_margins_are_the_head_margins():
    """Scoring a fine-tuned model and scoring a frozen-encoder head use one margin: the
    log-probability gap of the top two labels (so one temperature scales it uniformly)."""
    from demux_core.scoring.rows import log_prob_margins
    from demux_lab.frozen_head.head_training import margins

    logits = np.random.default_rng(5).normal(size=(3, 7, 9)) * 3
    expected = margins(logits.reshape(-1, 9)).reshape(3, 7)
    np.testing.assert_allclose(
        log_prob_margins(torch.from_numpy(logits)).numpy(), expected, rtol=1e-5
    )


def test_token_embedding_is_mean_over_first_subwords(token_model, tiny_tokenizer):
    example = TokenExample("long", "en", ("Amina", LONG_WORD, "in", "Lagos"))
    scores = score_pool(token_model, tiny_tokenizer, [example], progress=False)
    encoded = tiny_tokenizer([list(example.tokens)], is_split_into_words=True, return_tensors="pt")
    word_ids = encoded.word_ids(0)
    firsts = [p for p, w in enumerate(word_ids) if w is not None and w != word_ids[p - 1]]
    assert len(firsts) == 4 and len(word_ids) > 8  # the long word is split into many pieces
    token_model.eval()
    with torch.no_grad():
        output = token_model(encoded["input_ids"], encoded["attention_mask"])
    expected = output.hidden[0, firsts].mean(0).numpy()
    np.testing.assert_allclose(scores.embeddings[0], expected, atol=1e-5)
    log_probs = torch.log_softmax(output.logits[0, firsts], -1).topk(2, -1).values
    margin = (log_probs[:, 0] - log_probs[:, 1]).min().item()
    assert scores.uncertainty[0] == pytest.approx(margin, abs=1e-5)


def test_truncated_words_get_fallback_tag_and_no_margin(token_model, tiny_tokenizer):
    example = TokenExample("cut", "en", ("Amina", LONG_WORD, "Lagos", "Ghana", "Kenya"))
    config = ScoringConfig(max_length=6)
    scores = score_pool(token_model, tiny_tokenizer, [example], config, progress=False)
    tags = scores.predictions[0]
    assert len(tags) == 5 and tags[2:] == ("O", "O", "O")
    kept = score_pool(
        token_model,
        tiny_tokenizer,
        [TokenExample("k", "en", example.tokens[:2])],
        config,
        progress=False,
    )
    assert scores.uncertainty[0] == pytest.approx(kept.uncertainty[0], abs=1e-5)


def test_empty_sentence_still_gets_finite_scores(token_model, tiny_tokenizer):
    scores = score_pool(token_model, tiny_tokenizer, [TokenExample("e", "en", ())], progress=False)
    assert scores.predictions == [()] and np.isfinite(scores.uncertainty[0])


@pytest.mark.parametrize("embedding", ["cls", "mean"])
def test_sequence_scores(sequence_model, tiny_tokenizer, embedding):
    pool = _sequence_pool()
    config = ScoringConfig(batch_size=5, embedding=embedding)
    scores = score_pool(sequence_model, tiny_tokenizer, pool, config, progress=False)
    assert scores.embeddings.shape == (len(pool), 32)
    assert np.all(scores.uncertainty >= 0)
    assert set(scores.predictions) <= {"a", "b", "c"}
    alone = score_pool(sequence_model, tiny_tokenizer, pool[5:6], config, progress=False)
    np.testing.assert_allclose(scores.embeddings[5], alone.embeddings[0], atol=1e-5)


def test_cls_and_mean_embeddings_differ(sequence_model, tiny_tokenizer):
    pool = _sequence_pool()[:3]
    cls = score_pool(
        sequence_model, tiny_tokenizer, pool, ScoringConfig(embedding="cls"), progress=False
    )
    mean = score_pool(
        sequence_model, tiny_tokenizer, pool, ScoringConfig(embedding="mean"), progress=False
    )
    assert not np.allclose(cls.embeddings, mean.embeddings)
    np.testing.assert_allclose(cls.uncertainty, mean.uncertainty)


def test_pair_examples_encode_both_texts(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "pair", ("yes", "no"))
    first = SequenceExample("p1", "en", "Amina lives in Lagos .", "She works at the bank .")
    second = SequenceExample("p2", "en", "Amina lives in Lagos .", "Ghana won the match .")
    scores = score_pool(model, tiny_tokenizer, [first, second], progress=False)
    assert not np.allclose(scores.embeddings[0], scores.embeddings[1])


def test_progress_callback_and_task_mismatch(sequence_model, tiny_tokenizer):
    calls = []
    pool = _sequence_pool()
    score_pool(
        sequence_model,
        tiny_tokenizer,
        pool,
        ScoringConfig(batch_size=5),
        progress=False,
        progress_callback=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(5, 12), (10, 12), (12, 12)]
    with pytest.raises(SelectionError, match="token example"):
        score_pool(sequence_model, tiny_tokenizer, _token_pool(), progress=False)
    with pytest.raises(SelectionError, match="empty"):
        score_pool(sequence_model, tiny_tokenizer, [], progress=False)


def test_quantized_scoring_leaves_training_model_alone(sequence_model, tiny_tokenizer):
    pool = _sequence_pool()
    config = ScoringConfig(quantize_int8=True, device="cpu")
    scores = score_pool(sequence_model, tiny_tokenizer, pool, config, progress=False)
    assert scores.embeddings.shape == (len(pool), 32)
    assert isinstance(sequence_model.head, torch.nn.Linear)
    assert sequence_model.head.weight.dtype == torch.float32


def test_quantized_copy_shares_word_embeddings_and_keeps_weights(sequence_model):
    from demux_core.scoring.pool import _scoring_copy

    before = {name: p.detach().clone() for name, p in sequence_model.named_parameters()}
    config = ScoringConfig(quantize_int8=True, device="cpu")
    scorer = _scoring_copy(sequence_model, config, torch.device("cpu"))
    embeddings = sequence_model.encoder.get_input_embeddings().weight
    assert scorer.encoder.get_input_embeddings().weight is embeddings
    assert not isinstance(scorer.head, torch.nn.Linear)  # quantised in the copy only
    for name, p in sequence_model.named_parameters():
        assert torch.equal(p, before[name]), name


def test_quantized_scores_track_fp32_scores(sequence_model, tiny_tokenizer):
    pool = _sequence_pool()
    fp32 = score_pool(sequence_model, tiny_tokenizer, pool, ScoringConfig(), progress=False)
    int8 = score_pool(
        sequence_model,
        tiny_tokenizer,
        pool,
        ScoringConfig(quantize_int8=True, device="cpu"),
        progress=False,
    )
    cosine = np.sum(fp32.embeddings * int8.embeddings, axis=1) / (
        np.linalg.norm(fp32.embeddings, axis=1) * np.linalg.norm(int8.embeddings, axis=1)
    )
    assert cosine.min() > 0.9
    assert (
        int8.predictions == fp32.predictions
        or np.abs(int8.uncertainty - fp32.uncertainty).max() < 0.5
    )


CONTEXT = (
    "Kwame Nkrumah was the first president of Ghana . The capital of Ghana is Accra . "
    "Heavy rain fell over Nairobi for three days in April ."
)


def _qa_pool() -> list[QAExample]:
    return [
        QAExample("q1", "en", "What is the capital of Ghana ?", CONTEXT),
        QAExample("q2", "en", "Who founded the Central Bank ?", "Amina lives in Lagos ."),
    ]


def test_qa_windows_and_predictions(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "qa", seed=2)
    config = ScoringConfig(qa_max_length=32, qa_stride=8, batch_size=4)
    pool = _qa_pool()
    scores = score_pool(model, tiny_tokenizer, pool, config, progress=False)
    assert scores.embeddings.shape == (2, 32) and np.all(scores.uncertainty <= 0)
    for example, prediction in zip(pool, scores.predictions, strict=True):
        if prediction != "":
            start, text = prediction
            assert text and example.context[start : start + len(text)] == text

    windows = encode_examples(tiny_tokenizer, pool[:1], "qa", max_length=32, qa_stride=8)
    assert len(windows) > 2 and all(w.example_index == 0 for w in windows)
    ids, mask = (torch.from_numpy(a) for a in pad_batch(windows, tiny_tokenizer.pad_token_id))
    model.eval()
    with torch.no_grad():
        output = model(ids, mask)
    np.testing.assert_allclose(scores.embeddings[0], output.hidden[:, 0].mean(0).numpy(), atol=1e-5)
    alone = score_pool(model, tiny_tokenizer, pool[:1], config, progress=False)
    assert alone.uncertainty[0] == pytest.approx(scores.uncertainty[0], abs=1e-5)


@pytest.mark.real_model
def test_real_default_model_scores_a_small_pool(default_model_dir):
    from transformers import AutoTokenizer

    source = default_model_dir
    tokenizer = AutoTokenizer.from_pretrained(default_model_dir)
    model = TaskModel.from_pretrained(source, "token", TAGS)
    pool = [TokenExample(f"t{i}", "en", tuple(s.split())) for i, s in enumerate(TINY_SENTENCES)]
    scores = score_pool(model, tokenizer, pool, ScoringConfig(batch_size=4), progress=False)
    assert scores.embeddings.shape == (len(pool), 384)
    assert np.all(np.isfinite(scores.embeddings)) and np.all(scores.uncertainty >= 0)
    assert [len(t) for t in scores.predictions] == [len(e.tokens) for e in pool]


@pytest.mark.parametrize("kind", ["token", "sequence"])
def test_embedding_layer_changes_only_the_embeddings(
    kind, token_model, sequence_model, tiny_tokenizer
):
    model, pool = (
        (token_model, _token_pool()) if kind == "token" else (sequence_model, _sequence_pool())
    )

    def scored(layer):
        config = ScoringConfig(batch_size=4, embedding_layer=layer)
        return score_pool(model, tiny_tokenizer, pool, config, progress=False)

    last, first, top = scored(None), scored(1), scored(model.num_layers)
    assert first.embeddings.shape == last.embeddings.shape
    assert not np.allclose(first.embeddings, last.embeddings)
    np.testing.assert_allclose(top.embeddings, last.embeddings, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(first.uncertainty, last.uncertainty, rtol=1e-5, atol=1e-6)
    assert first.predictions == last.predictions


def test_an_embedding_layer_the_model_lacks_is_a_clear_error(sequence_model, tiny_tokenizer):
    config = ScoringConfig(embedding_layer=5)
    with pytest.raises(SelectionError, match=r"embedding_layer=5 does not exist.*2 layers"):
        score_pool(sequence_model, tiny_tokenizer, _sequence_pool(), config, progress=False)
    with pytest.raises(ValueError, match="embedding_layer must be >= 0"):
        ScoringConfig(embedding_layer=-1)


@pytest.mark.parametrize("task", ["token", "sequence"])
def test_bf16_scoring_returns_float32_close_to_fp32(
    task, token_model, sequence_model, tiny_tokenizer
):
    model, pool = (
        (token_model, _token_pool()) if task == "token" else (sequence_model, _sequence_pool())
    )
    fp32 = score_pool(model, tiny_tokenizer, pool, ScoringConfig(precision="fp32"), progress=False)
    bf16 = score_pool(model, tiny_tokenizer, pool, ScoringConfig(precision="bf16"), progress=False)
    assert bf16.embeddings.dtype == np.float32 and bf16.uncertainty.dtype == np.float32
    np.testing.assert_allclose(bf16.embeddings, fp32.embeddings, atol=0.1)
    assert not np.array_equal(bf16.embeddings, fp32.embeddings)  # it did run in bf16
