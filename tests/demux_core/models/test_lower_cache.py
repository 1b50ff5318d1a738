"""The frozen bottom layers' outputs, cached across rounds: same scores, reused, never stale."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from demux_core.config import ScoringConfig, TrainingConfig
from demux_core.data.examples import SequenceExample, TokenExample
from demux_core.models import lower_cache as lower_module
from demux_core.models.lower_cache import FrozenBottom, LowerLayerCache
from demux_core.models.task_model import TaskModel
from demux_core.scoring.pool import score_pool
from demux_core.training.fine_tune import fine_tune
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
SCORING = ScoringConfig(batch_size=3)


def _examples(task: str):
    sentences = tiny_model.TINY_SENTENCES[:7]
    if task == "sequence":
        return [
            SequenceExample(f"s{i}", "en", s, label="ab"[i % 2]) for i, s in enumerate(sentences)
        ]
    return [TokenExample(f"s{i}", "en", tuple(s.split())) for i, s in enumerate(sentences)]


def _model(folder, task: str) -> TaskModel:
    labels = ("a", "b") if task == "sequence" else ("O", "B-PER", "I-PER")
    return TaskModel.from_pretrained(folder, task, labels, seed=3).eval()


def _counting(monkeypatch) -> list[int]:
    """Rows whose bottom layers were computed, appended per call."""
    computed: list[int] = []
    original = lower_module._compute

    def counting(model, features, rows, *args):
        computed.append(len(rows))
        yield from original(model, features, rows, *args)

    monkeypatch.setattr(lower_module, "_compute", counting)
    return computed


@pytest.mark.parametrize("task", ["sequence", "token"])
def test_scores_from_the_cache_equal_a_full_forward_pass(task, tiny_model_dir, tiny_tokenizer):
    model, examples = _model(tiny_model_dir, task), _examples(task)
    full = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False)
    cache = LowerLayerCache()
    for _ in range(2):  # the first fills the cache, the second reads it
        cached = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
                            frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
        np.testing.assert_allclose(cached.uncertainty, full.uncertainty, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(cached.embeddings, full.embeddings, rtol=1e-4, atol=1e-5)
        assert cached.predictions == full.predictions
    assert (cache.misses, cache.hits) == (len(examples), len(examples))


def test_a_new_process_reads_the_kept_states_from_disk(tmp_path, tiny_model_dir, tiny_tokenizer,
                                                       monkeypatch):  # fmt: skip
    model, examples = _model(tiny_model_dir, "sequence"), _examples("sequence")
    computed = _counting(monkeypatch)
    first = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
                       frozen_bottom=FrozenBottom(LowerLayerCache(tmp_path), 1))  # fmt: skip
    assert sum(computed) == len(examples)
    computed.clear()
    again = LowerLayerCache(tmp_path)  # as the next round's worker
    second = score_pool(model, tiny_tokenizer, examples[:4] + examples, SCORING, progress=False,
                        frozen_bottom=FrozenBottom(again, 1))  # fmt: skip
    assert sum(computed) == 0 and again.hits == len(examples) + 4
    # other batches (padding) in the top layers: equal to float rounding
    np.testing.assert_allclose(second.uncertainty[4:], first.uncertainty, rtol=1e-5, atol=1e-6)


def test_a_part_without_its_index_is_ignored(tmp_path, tiny_model_dir, tiny_tokenizer, monkeypatch):
    """A kill between the part's two writes: the states are computed again, nothing breaks."""
    model, examples = _model(tiny_model_dir, "sequence"), _examples("sequence")
    score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
               frozen_bottom=FrozenBottom(LowerLayerCache(tmp_path), 1))  # fmt: skip
    (index,) = tmp_path.glob("*/part-0.json")
    index.unlink()
    computed = _counting(monkeypatch)
    score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
               frozen_bottom=FrozenBottom(LowerLayerCache(tmp_path), 1))  # fmt: skip
    assert sum(computed) == len(examples)
    assert len(list(tmp_path.glob("*/part-*.json"))) == 1  # the new part, beside the orphan


def test_changed_bottom_weights_never_get_old_states(tmp_path, tiny_model_dir, tiny_tokenizer,
                                                     monkeypatch):  # fmt: skip
    model, examples = _model(tiny_model_dir, "sequence"), _examples("sequence")
    cache = LowerLayerCache(tmp_path)
    score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
               frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
    (old,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    with torch.no_grad():
        model.encoder.encoder.layer[0].output.dense.weight.mul_(1.5)  # in place: same tensor
    computed = _counting(monkeypatch)
    changed = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
                         frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
    assert sum(computed) == len(examples)
    full = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False)
    np.testing.assert_allclose(changed.uncertainty, full.uncertainty, rtol=1e-4, atol=1e-5)
    assert not old.exists() and len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1


def test_training_reuses_the_states_scoring_kept(tiny_model_dir, tiny_tokenizer, monkeypatch):
    model, examples = _model(tiny_model_dir, "sequence"), _examples("sequence")
    config = TrainingConfig(epochs=3, learning_rate=1e-2, batch_size=3, seed=7, frozen_layers=1)
    reference = _model(tiny_model_dir, "sequence")
    expected = fine_tune(reference, tiny_tokenizer, examples, config, progress=False).losses
    cache = LowerLayerCache()
    score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
               frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
    computed = _counting(monkeypatch)
    losses = fine_tune(model, tiny_tokenizer, examples, config, progress=False,
                       lower_cache=cache).losses  # fmt: skip
    assert sum(computed) == 0 and cache.hits == len(examples)
    np.testing.assert_allclose(losses, expected, rtol=1e-4)
    # the bottom did not train, so the next round's scoring still hits
    score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
               frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
    assert sum(computed) == 0


def test_the_size_limit_stops_new_entries_but_scores_stay_right(tiny_model_dir, tiny_tokenizer):
    model, examples = _model(tiny_model_dir, "sequence"), _examples("sequence")
    cache = LowerLayerCache(max_bytes=1)
    full = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False)
    for _ in range(2):
        cached = score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
                            frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
        np.testing.assert_allclose(cached.uncertainty, full.uncertainty, rtol=1e-4, atol=1e-5)
    assert cache.hits == 0 and cache.misses == 2 * len(examples)


def test_averaging_with_the_warm_start_keeps_frozen_layers_bit_for_bit(tiny_model_dir):
    from demux_core.training.round import average_with_warm_start

    model, warm = _model(tiny_model_dir, "sequence"), _model(tiny_model_dir, "sequence")
    with torch.no_grad():
        model.head.weight.add_(1.0)
    kept = model.encoder.encoder.layer[0].output.dense.weight
    version = kept._version
    average_with_warm_start(model, warm, 0.3)
    assert kept._version == version  # untouched, so the cache's digest holds
    assert not torch.equal(model.head.weight, warm.head.weight)


def test_states_are_the_configured_precision(tiny_model_dir, tiny_tokenizer):
    """bf16 states are kept apart from fp32 ones (the digest includes the precision)."""
    model, examples = _model(tiny_model_dir, "sequence"), _examples("sequence")
    cache = LowerLayerCache()
    score_pool(model, tiny_tokenizer, examples, SCORING, progress=False,
               frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
    bf16 = replace(SCORING, precision="bf16")
    score_pool(model, tiny_tokenizer, examples, bf16, progress=False,
               frozen_bottom=FrozenBottom(cache, 1))  # fmt: skip
    assert cache.hits == 0
