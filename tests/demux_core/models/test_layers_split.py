"""The split forward pass equals the whole one."""

import pytest
import torch

from demux_core.data.examples import SequenceExample, TokenExample
from demux_core.models.features import encode_examples, pad_batch
from demux_core.models.layers import bottom, freeze_bottom, top
from demux_core.models.task_model import TaskModel
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer


@pytest.mark.parametrize("task", ["sequence", "token"])
def test_top_of_bottom_equals_the_full_forward(task, tiny_model_dir, tiny_tokenizer):
    labels = ("a", "b", "c") if task == "sequence" else ("O", "B-PER", "I-PER")
    model = TaskModel.from_pretrained(tiny_model_dir, task, labels, seed=2).eval()
    sentences = tiny_model.TINY_SENTENCES[:5]
    examples = ([SequenceExample(f"s{i}", "en", s) for i, s in enumerate(sentences)] if task == "sequence"
                else [TokenExample(f"s{i}", "en", tuple(s.split())) for i, s in enumerate(sentences)])  # fmt: skip
    features = encode_examples(tiny_tokenizer, examples, model.task, max_length=64)
    ids, mask = (torch.from_numpy(a) for a in pad_batch(features, tiny_tokenizer.pad_token_id))
    with torch.no_grad():
        whole = model(ids, mask)
        for n in range(model.num_layers + 1):
            split = top(model, bottom(model, ids, mask, n), mask, n)
            torch.testing.assert_close(split.logits, whole.logits, rtol=1e-4, atol=1e-5)


def test_freeze_bottom_freezes_embeddings_and_the_bottom_layers_only(tiny_model_dir):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=0)
    freeze_bottom(model, 1)
    frozen = {name for name, p in model.named_parameters() if not p.requires_grad}
    assert any(name.startswith("encoder.embeddings.") for name in frozen)
    assert any(".layer.0." in name for name in frozen)
    assert not any(".layer.1." in name or name.startswith("head.") for name in frozen)
    freeze_bottom(model, 1, frozen=False)
    assert all(p.requires_grad for p in model.parameters())
