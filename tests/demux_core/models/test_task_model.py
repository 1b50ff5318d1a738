"""TaskModel: heads, freezing, checkpoints (tiny random model)."""

from __future__ import annotations

import json

import pytest
import torch

from demux_core.errors import ModelSpecError
from demux_core.models.task_model import META_FILE, TaskModel, load_checkpoint_tokenizer
from tests.fixtures import tiny_model

# Fixtures shared through the module namespace (pytest collects them from here).
tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
TINY_SENTENCES = tiny_model.TINY_SENTENCES

TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")


def _batch(tokenizer, texts):
    encoded = tokenizer(list(texts), padding=True, return_tensors="pt")
    return encoded["input_ids"], encoded["attention_mask"]


@pytest.mark.parametrize(
    ("task", "labels", "shape"),
    [("token", TAGS, ("L", 5)), ("sequence", ("a", "b", "c"), (3,)), ("qa", (), ("L", 2))],
)
def test_forward_shapes(tiny_model_dir, tiny_tokenizer, task, labels, shape):
    model = TaskModel.from_pretrained(tiny_model_dir, task, labels).eval()
    ids, mask = _batch(tiny_tokenizer, ["Amina lives in Lagos .", "Hi"])
    output = model(ids, mask)
    expected = tuple(ids.shape[1] if d == "L" else d for d in shape)
    assert output.hidden.shape == (2, ids.shape[1], 32)
    assert output.logits.shape == (2, *expected)


@pytest.mark.parametrize("task", ["token", "sequence"])
def test_hidden_layer_picks_the_layer_and_leaves_the_logits(tiny_model_dir, tiny_tokenizer, task):
    labels = TAGS if task == "token" else ("a", "b", "c")
    model = TaskModel.from_pretrained(tiny_model_dir, task, labels).eval()
    ids, mask = _batch(tiny_tokenizer, ["Amina lives in Lagos .", "Hi"])
    with torch.no_grad():
        last = model(ids, mask)
        states = model.encoder(ids, attention_mask=mask, output_hidden_states=True).hidden_states
        for layer in range(model.num_layers + 1):
            output = model(ids, mask, hidden_layer=layer)
            assert torch.equal(output.hidden, states[layer])
            assert torch.allclose(output.logits, last.logits)
    assert model.num_layers == 2 and torch.equal(states[-1], last.hidden)
    assert not torch.allclose(states[1], last.hidden)
    with pytest.raises(ValueError, match=r"outside 0\.\.2 \(the encoder has 2 layers\)"):
        model(ids, mask, hidden_layer=3)


def test_mean_and_cls_pooling_differ(tiny_model_dir, tiny_tokenizer):
    ids, mask = _batch(tiny_tokenizer, ["Amina lives in Lagos .", "Hi"])
    mean = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), "mean").eval()
    cls = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), "cls").eval()
    assert not torch.allclose(mean(ids, mask).logits, cls(ids, mask).logits)


def test_mean_pooling_ignores_padding(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b")).eval()
    alone = model(*_batch(tiny_tokenizer, ["Hi"])).logits
    padded = model(
        *_batch(tiny_tokenizer, ["Hi", "Amina lives in Lagos with the Central Bank ."])
    ).logits
    torch.testing.assert_close(padded[:1], alone, atol=1e-5, rtol=1e-5)


def test_bad_labels_and_pooling_are_rejected(tiny_model_dir):
    with pytest.raises(ModelSpecError, match="at least two"):
        TaskModel.from_pretrained(tiny_model_dir, "sequence", ("only",))
    with pytest.raises(ModelSpecError, match="duplicate"):
        TaskModel.from_pretrained(tiny_model_dir, "token", ("O", "O", "B"))
    with pytest.raises(ModelSpecError, match="pooling"):
        TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), "max")


def test_head_initialisation_is_seeded(tiny_model_dir):
    first = TaskModel.from_pretrained(tiny_model_dir, "token", TAGS, seed=3)
    again = TaskModel.from_pretrained(tiny_model_dir, "token", TAGS, seed=3)
    other = TaskModel.from_pretrained(tiny_model_dir, "token", TAGS, seed=4)
    assert torch.equal(first.head.weight, again.head.weight)
    assert not torch.equal(first.head.weight, other.head.weight)


def test_freeze_word_embeddings(tiny_model_dir):
    model = TaskModel.from_pretrained(tiny_model_dir, "token", TAGS)
    count = model.freeze_word_embeddings()
    embeddings = model.encoder.get_input_embeddings().weight
    assert count == embeddings.shape[0] * 32
    assert not embeddings.requires_grad
    assert model.head.weight.requires_grad
    model.freeze_word_embeddings(False)
    assert embeddings.requires_grad


@pytest.mark.parametrize(("task", "labels"), [("token", TAGS), ("pair", ("yes", "no")), ("qa", ())])
def test_save_load_round_trip(tiny_model_dir, tiny_tokenizer, tmp_path, task, labels):
    model = TaskModel.from_pretrained(tiny_model_dir, task, labels, "cls", seed=5)
    model.freeze_word_embeddings()
    model.model_version = "tiny:ft-test"
    folder = model.save(tmp_path / "ckpt", round_id=4, tokenizer=tiny_tokenizer)
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["round_id"] == 4
    assert meta["task"] == task and tuple(meta["labels"]) == labels
    assert meta["model_version"] == "tiny:ft-test" and meta["pooling"] == "cls"

    restored = TaskModel.load(folder)
    ids, mask = _batch(tiny_tokenizer, ["Amina lives in Lagos .", "Hi"])
    model.eval()
    restored.eval()
    assert torch.equal(model(ids, mask).logits, restored(ids, mask).logits)
    assert restored.round_id == 4 and restored.model_version == "tiny:ft-test"
    assert not restored.encoder.get_input_embeddings().weight.requires_grad
    assert load_checkpoint_tokenizer(folder)("Hi")["input_ids"] == tiny_tokenizer("Hi")["input_ids"]
    assert TaskModel.from_pretrained(folder, task, labels).round_id == 4


def test_load_rejects_a_folder_that_is_no_checkpoint(tmp_path):
    with pytest.raises(ModelSpecError, match=META_FILE):
        TaskModel.load(tmp_path)
    (tmp_path / META_FILE).write_text("{not json")
    with pytest.raises(ModelSpecError, match="unreadable"):
        TaskModel.load(tmp_path)


def test_missing_encoder_folder_is_a_model_spec_error(tmp_path):
    with pytest.raises(ModelSpecError):
        TaskModel.from_pretrained(tmp_path / "nowhere", "sequence", ("a", "b"))
