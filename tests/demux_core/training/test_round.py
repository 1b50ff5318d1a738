"""The round-level recipe: warm start, training examples per round, checkpoints."""

from __future__ import annotations

import pytest
import torch

from demux_core.config import TrainingConfig
from demux_core.data.examples import SequenceExample
from demux_core.models.task_model import TaskModel
from demux_core.training.round import (
    average_with_warm_start,
    replay_sample,
    round_start_checkpoint,
    split_heldout,
    training_examples_for_round,
)
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir


def test_training_examples_for_round():
    seed = [SequenceExample("seed", "en", "s", label="a")]
    earlier = [SequenceExample("e1", "sw", "e", label="a")]
    new = [SequenceExample("n1", "sw", "n", label="b"), SequenceExample("e1", "sw", "e", label="a")]

    def ids(config):
        chosen = training_examples_for_round(
            config, new_labels=new, earlier_labels=earlier, seed_examples=seed
        )
        return [example.id for example in chosen]

    no_replay = TrainingConfig(seed_replay=False)
    assert ids(no_replay) == ["n1", "e1"]
    assert ids(TrainingConfig()) == ["seed", "n1", "e1"]  # replay is on by default
    assert ids(TrainingConfig(seed_replay_ratio=0.0)) == ["seed", "n1", "e1"]
    assert ids(TrainingConfig(init_from="warm_start", seed_replay=False)) == ["e1", "n1"]
    assert round_start_checkpoint(TrainingConfig(), previous="r2", warm_start_dir="w").name == "r2"
    assert round_start_checkpoint(TrainingConfig(), previous=None, warm_start_dir="w").name == "w"
    warm = TrainingConfig(init_from="warm_start")
    assert round_start_checkpoint(warm, previous="r2", warm_start_dir="w").name == "w"


def test_replay_ratio_samples_a_seeded_slice_of_the_seed_set():
    seed = [SequenceExample(f"s{i}", "en", "x", label="a") for i in range(50)]
    config = TrainingConfig(seed_replay=True, seed_replay_ratio=2.0, seed_replay_min=0, seed=4)
    first = replay_sample(seed, 10, config)
    assert len(first) == 20 and len({e.id for e in first}) == 20
    assert replay_sample(seed, 10, config) == first  # reproducible
    assert replay_sample(seed, 11, config) != first[:22]  # another round, another slice
    assert len(replay_sample(seed, 100, config)) == 50  # capped by the seed set
    assert len(replay_sample(seed, 10, TrainingConfig(seed_replay_ratio=0.0))) == 50
    new = [SequenceExample("n1", "sw", "n", label="b")]
    chosen = training_examples_for_round(config, new_labels=new, seed_examples=seed)
    assert [e.id for e in chosen][-1] == "n1" and len(chosen) == 3


def test_replay_floor_raises_a_small_rounds_replay_only():
    seed = [SequenceExample(f"s{i}", "en", "x", label="a") for i in range(200)]
    floor = TrainingConfig(seed_replay_ratio=2.0, seed_replay_min=80, seed=1)
    assert len(replay_sample(seed, 10, floor)) == 80  # 2 x 10 = 20 is under the floor
    assert len(replay_sample(seed, 50, floor)) == 100  # 2 x 50 = 100 is above it
    assert len(replay_sample(seed[:30], 10, floor)) == 30  # capped by the seed set
    plain = replay_sample(seed, 10, TrainingConfig(seed_replay_ratio=2.0, seed_replay_min=0))
    assert len(plain) == 20
    assert len(replay_sample(seed, 10, TrainingConfig())) == 80  # the floor is the default
    with pytest.raises(ValueError, match="seed_replay_min"):
        TrainingConfig(seed_replay_min=-1)


def test_split_heldout_holds_out_a_seeded_share_never_trained_on():
    seed = [SequenceExample(f"s{i}", "en", "x", label="a") for i in range(400)]
    train, heldout = split_heldout(seed)
    assert len(heldout) == 60 and len(train) == 340  # 20 % capped at 60
    assert not {e.id for e in train} & {e.id for e in heldout}
    assert split_heldout(seed) == (train, heldout)  # deterministic
    small_train, small_heldout = split_heldout(seed[:50])
    assert len(small_heldout) == 10 and len(small_train) == 40
    assert split_heldout(seed[:10]) == (seed[:10], [])  # too small to split


def test_average_with_warm_start_is_the_weighted_mean_of_the_weights(tiny_model_dir):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=0)
    start = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=1)
    own = {n: v.clone() for n, v in model.state_dict().items()}
    anchor = start.state_dict()
    assert not torch.equal(own["head.weight"], anchor["head.weight"])
    average_with_warm_start(model, start, 0.3)
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, 0.3 * anchor[name] + 0.7 * own[name])


def test_average_with_warm_start_weight_zero_changes_nothing(tiny_model_dir):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=0)
    start = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=1)
    own = {n: v.clone() for n, v in model.state_dict().items()}
    average_with_warm_start(model, start, 0.0)
    assert all(torch.equal(own[n], v) for n, v in model.state_dict().items())


def test_average_with_warm_start_refuses_other_labels_and_bad_weights(tiny_model_dir):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b"), seed=0)
    other = TaskModel.from_pretrained(tiny_model_dir, "sequence", ("a", "b", "c"), seed=0)
    with pytest.raises(ValueError, match="do not match.*head.bias"):
        average_with_warm_start(model, other, 0.5)
    for weight in (-0.1, 1.0):
        with pytest.raises(ValueError, match="warm_start_weight must be in"):
            average_with_warm_start(model, model, weight)
    with pytest.raises(ValueError, match="warm_start_weight must be in"):
        TrainingConfig(warm_start_weight=1.0)
    with pytest.raises(ValueError, match="min_train_labels must be >= 0, got -1"):
        TrainingConfig(min_train_labels=-1)
