"""fine_tune and round helpers on the tiny random model (plus a real-model check)."""

from __future__ import annotations

import json

import pytest
import torch

from demux_core.config import TrainingConfig
from demux_core.data.examples import QAExample, SequenceExample, TokenExample
from demux_core.models.features import IGNORE_INDEX, LabelError, encode_examples
from demux_core.models.task_model import META_FILE, TaskModel
from demux_core.training.fine_tune import epochs_for, fine_tune
from demux_core.training.round import save_round_checkpoint
from tests.fixtures import tiny_model

# Fixtures shared through the module namespace (pytest collects them from here).
tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer

EPOCHS = 15
FAST = TrainingConfig(epochs=EPOCHS, learning_rate=1e-2, batch_size=3, warmup_ratio=0.1, seed=7)
SPORT = ("The football team trained hard .", "Ghana won the match .", "The final game ended .")
WEATHER = ("Heavy rain fell over Nairobi .", "Rain fell for three days .", "Heavy rain in April .")


def _topic_pool() -> list[SequenceExample]:
    sport = [SequenceExample(f"s{i}", "en", t, label="sport") for i, t in enumerate(SPORT)]
    rain = [SequenceExample(f"w{i}", "en", t, label="weather") for i, t in enumerate(WEATHER)]
    return sport + rain


def _ner_pool() -> list[TokenExample]:
    return [
        TokenExample("n1", "en", ("Amina", "lives", "in", "Lagos"), ("B-PER", "O", "O", "B-LOC")),
        TokenExample("n2", "en", ("Kwame", "visited", "Ghana"), ("B-PER", "O", "B-LOC")),
        TokenExample("n3", "en", ("Amina", "left", "Nairobi"), ("B-PER", "O", "B-LOC")),
    ]


def _epoch_means(losses, epochs):
    per_epoch = len(losses) // epochs
    return [sum(losses[i : i + per_epoch]) / per_epoch for i in range(0, len(losses), per_epoch)]


def _model(folder, task="sequence", labels=("sport", "weather")):
    return TaskModel.from_pretrained(folder, task, labels, seed=1)


def test_loss_decreases_on_separable_topics(tiny_model_dir, tiny_tokenizer):
    model = _model(tiny_model_dir)
    before = model.model_version
    result = fine_tune(model, tiny_tokenizer, _topic_pool(), FAST, progress=False)
    assert result.steps == EPOCHS * 2 and len(result.losses) == result.steps
    means = _epoch_means(result.losses, EPOCHS)
    assert means[-1] < 0.6 * means[0]
    assert model.model_version != before and not model.training


def test_token_training_labels_first_subword_and_learns(tiny_model_dir, tiny_tokenizer):
    tags = ("O", "B-PER", "B-LOC")
    model = _model(tiny_model_dir, "token", tags)
    features = encode_examples(
        tiny_tokenizer, _ner_pool(), "token", max_length=64, label_to_id=model.label_to_id
    )
    labeled = [p for p, t in enumerate(features[0].target) if t != IGNORE_INDEX]
    assert labeled == list(features[0].word_positions) and len(labeled) == 4
    assert len(features[0].input_ids) > 6  # words are split: most positions are ignored
    result = fine_tune(model, tiny_tokenizer, _ner_pool(), FAST, progress=False)
    means = _epoch_means(result.losses, EPOCHS)
    assert means[-1] < 0.5 * means[0]


def test_qa_training_learns_answer_span(tiny_model_dir, tiny_tokenizer):
    context = "Kwame Nkrumah was the first president of Ghana . The capital is Accra ."
    start = context.index("Accra")
    pool = [
        QAExample(f"q{i}", "en", "What is the capital ?", context, start, "Accra") for i in range(4)
    ]
    model = _model(tiny_model_dir, "qa", ())
    config = TrainingConfig(
        epochs=EPOCHS, learning_rate=1e-2, batch_size=4, qa_max_length=32, qa_stride=8
    )
    result = fine_tune(model, tiny_tokenizer, pool, config, progress=False)
    means = _epoch_means(result.losses, EPOCHS)
    assert means[-1] < 0.5 * means[0]


def test_frozen_word_embeddings_stay_unchanged(tiny_model_dir, tiny_tokenizer):
    model = _model(tiny_model_dir)
    embeddings = model.encoder.get_input_embeddings().weight.detach().clone()
    layer = model.encoder.encoder.layer[0].attention.self.query.weight.detach().clone()
    fine_tune(model, tiny_tokenizer, _topic_pool(), FAST, progress=False)
    assert torch.equal(model.encoder.get_input_embeddings().weight, embeddings)
    assert not torch.equal(model.encoder.encoder.layer[0].attention.self.query.weight, layer)

    unfrozen = _model(tiny_model_dir)
    config = TrainingConfig(epochs=1, learning_rate=3e-3, freeze_word_embeddings=False)
    fine_tune(unfrozen, tiny_tokenizer, _topic_pool(), config, progress=False)
    assert not torch.equal(unfrozen.encoder.get_input_embeddings().weight, embeddings)


def test_same_seed_gives_identical_weights(tiny_model_dir, tiny_tokenizer):
    first, second, other = (_model(tiny_model_dir) for _ in range(3))
    fine_tune(first, tiny_tokenizer, _topic_pool(), FAST, progress=False)
    fine_tune(second, tiny_tokenizer, _topic_pool(), FAST, progress=False)
    fine_tune(
        other,
        tiny_tokenizer,
        _topic_pool(),
        TrainingConfig(**{**FAST.__dict__, "seed": 8}),
        progress=False,
    )
    a, b, c = (m.state_dict() for m in (first, second, other))
    assert all(torch.equal(a[name], b[name]) for name in a)
    assert not all(torch.equal(a[name], c[name]) for name in a)
    assert first.model_version == second.model_version != other.model_version


def test_round_checkpoint_round_trip(tiny_model_dir, tiny_tokenizer, tmp_path):
    model = _model(tiny_model_dir)
    calls = []
    fine_tune(
        model,
        tiny_tokenizer,
        _topic_pool(),
        FAST,
        progress=False,
        progress_callback=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (EPOCHS * 2, EPOCHS * 2)
    folder = save_round_checkpoint(model, tmp_path, 3, tokenizer=tiny_tokenizer)
    assert folder.name == "round_003"
    assert json.loads((folder / META_FILE).read_text())["round_id"] == 3
    restored = TaskModel.load(folder).eval()
    encoded = tiny_tokenizer(list(SPORT), padding=True, return_tensors="pt")
    inputs = (encoded["input_ids"], encoded["attention_mask"])
    assert torch.equal(model(*inputs).logits, restored(*inputs).logits)
    assert restored.model_version == model.model_version


def test_unlabeled_or_unknown_labels_are_rejected(tiny_model_dir, tiny_tokenizer):
    model = _model(tiny_model_dir)
    with pytest.raises(LabelError, match="'x1'.*missing"):
        fine_tune(model, tiny_tokenizer, [SequenceExample("x1", "en", "hi")], FAST, progress=False)
    with pytest.raises(LabelError, match="'x2'.*'music' is not a model label"):
        fine_tune(
            model,
            tiny_tokenizer,
            [SequenceExample("x2", "en", "hi", label="music")],
            FAST,
            progress=False,
        )
    bad = TokenExample("x3", "en", ("a", "b"), ("O",))
    with pytest.raises(LabelError, match="'x3'.*1 entries for 2 tokens"):
        fine_tune(
            _model(tiny_model_dir, "token", ("O", "B-PER")),
            tiny_tokenizer,
            [bad],
            FAST,
            progress=False,
        )


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="init_from"):
        TrainingConfig(init_from="scratch")
    with pytest.raises(ValueError, match="warmup_ratio"):
        TrainingConfig(warmup_ratio=1.5)


@pytest.mark.real_model
def test_real_default_model_trains_a_few_steps(default_model_dir):
    from transformers import AutoTokenizer

    source = default_model_dir
    tokenizer = AutoTokenizer.from_pretrained(default_model_dir)
    model = TaskModel.from_pretrained(source, "sequence", ("sport", "weather"))
    config = TrainingConfig(epochs=2, batch_size=6, learning_rate=1e-4, num_threads=2)
    result = fine_tune(model, tokenizer, _topic_pool(), config, progress=False)
    assert result.steps == 2 and all(loss == loss for loss in result.losses)  # no NaN


def test_min_steps_raises_the_epochs():
    config = TrainingConfig(epochs=3, batch_size=16, min_steps=20)
    assert epochs_for(10, config) == 20  # 10 labels = 1 step per epoch
    assert epochs_for(200, config) == 3  # 13 steps per epoch: 3 epochs already exceed 20
    assert epochs_for(10, TrainingConfig(epochs=3)) == 3


def test_keep_best_restores_the_best_epoch_and_can_refuse_all_training(
    tiny_model_dir, tiny_tokenizer
):
    model = _model(tiny_model_dir)
    before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    version = model.model_version
    calls = []

    def heldout(m):  # the untrained model scores best: training must be undone
        calls.append(m.training)
        return 1.0 if len(calls) == 1 else 0.0

    config = TrainingConfig(epochs=2, batch_size=4, learning_rate=1e-2, keep_best=True, seed=1)
    result = fine_tune(
        model, tiny_tokenizer, _topic_pool(), config, progress=False, heldout_score=heldout
    )
    assert result.best_epoch == 0 and result.heldout_scores == (1.0, 0.0, 0.0)
    assert calls == [False, False, False]  # scored in eval mode
    for name, parameter in model.named_parameters():
        if name in before:
            assert torch.equal(parameter, before[name]), name
    assert model.model_version == version  # the weights are the starting ones


def test_keep_best_keeps_a_later_epoch_when_it_scores_higher(tiny_model_dir, tiny_tokenizer):
    model = _model(tiny_model_dir)
    scores = iter([0.1, 0.5, 0.3])
    config = TrainingConfig(epochs=2, batch_size=4, learning_rate=1e-3, keep_best=True)
    result = fine_tune(
        model,
        tiny_tokenizer,
        _topic_pool(),
        config,
        progress=False,
        heldout_score=lambda m: next(scores),
    )
    assert result.best_epoch == 1


def test_head_learning_rate_trains_the_head_faster_than_the_encoder(tiny_model_dir, tiny_tokenizer):
    model = _model(tiny_model_dir)
    encoder_before = {n: p.detach().clone() for n, p in model.encoder.named_parameters()}
    head_before = model.head.weight.detach().clone()
    config = TrainingConfig(
        epochs=2, batch_size=4, learning_rate=1e-9, head_learning_rate=1e-2, warmup_ratio=0.0
    )
    fine_tune(model, tiny_tokenizer, _topic_pool(), config, progress=False)
    head_change = (model.head.weight - head_before).abs().max().item()
    encoder_change = max(
        (p - encoder_before[n]).abs().max().item() for n, p in model.encoder.named_parameters()
    )
    assert head_change > 1e-3 > 1e-6 > encoder_change
    with pytest.raises(ValueError, match="head_learning_rate"):
        TrainingConfig(head_learning_rate=0.0)


def test_bf16_training_learns_and_keeps_fp32_weights(tiny_model_dir, tiny_tokenizer):
    from dataclasses import replace

    model = _model(tiny_model_dir)
    result = fine_tune(
        model, tiny_tokenizer, _topic_pool(), replace(FAST, precision="bf16"), progress=False
    )
    means = _epoch_means(result.losses, EPOCHS)
    assert means[-1] < 0.8 * means[0]
    assert all(p.dtype == torch.float32 for p in model.parameters())  # autocast, not a cast


@pytest.mark.parametrize("task", ["sequence", "token"])
def test_frozen_bottom_layers_stay_and_the_top_learns(task, tiny_model_dir, tiny_tokenizer):
    from dataclasses import replace

    model = (
        _model(tiny_model_dir)
        if task == "sequence"
        else _model(tiny_model_dir, "token", ("O", "B-PER", "B-LOC"))
    )
    pool = _topic_pool() if task == "sequence" else _ner_pool()
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    result = fine_tune(model, tiny_tokenizer, pool, replace(FAST, frozen_layers=1), progress=False)
    means = _epoch_means(result.losses, EPOCHS)
    assert means[-1] < 0.8 * means[0]
    changed = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    assert not any(".layer.0." in name or "embeddings" in name for name in changed)
    assert any(".layer.1." in name for name in changed) and "head.weight" in changed
    assert all(
        p.requires_grad for name, p in model.named_parameters() if "word_embeddings" not in name
    )


def test_more_frozen_layers_than_the_encoder_has_is_refused(tiny_model_dir, tiny_tokenizer):
    from dataclasses import replace

    with pytest.raises(ValueError, match="frozen_layers=99"):
        fine_tune(_model(tiny_model_dir), tiny_tokenizer, _topic_pool(), replace(FAST, frozen_layers=99),
                  progress=False)  # fmt: skip


def test_negative_frozen_layers_keep_the_top_layers_trainable():
    from demux_core.training.cached import frozen_count

    assert frozen_count(-4, 12) == 8 and frozen_count(-4, 2) == 0 and frozen_count(0, 12) == 0
    assert frozen_count(8, 12) == 8
    with pytest.raises(ValueError, match="frozen_layers=13"):
        frozen_count(13, 12)
