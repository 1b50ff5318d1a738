from dataclasses import replace

import numpy as np
import pytest
import torch

from demux_core.config import ScoringConfig, TrainingConfig
from demux_core.data.examples import SequenceExample
from demux_core.data.labels import with_label
from demux_core.errors import DemuxError
from demux_core.models.task_model import TaskModel
from demux_core.rounds.projection import ProjectionConfig
from demux_core.rounds.round import run_round
from demux_core.rounds.types import Pools, RoundConfig
from demux_core.scoring.pool import score_pool
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
SENTENCES = tiny_model.TINY_SENTENCES
CLASSES = ("place", "sport", "science")


def _pools() -> Pools:
    def ex(i: int, pool: str, lang: str) -> SequenceExample:
        return SequenceExample(
            f"{pool}{i}", lang, SENTENCES[i % len(SENTENCES)], label=CLASSES[i % 3]
        )

    return Pools(
        source=[ex(i, "s", ("hau", "yor")[i % 2]) for i in range(20)],
        target=[ex(i, "t", "wol") for i in range(6)],
        test=[ex(i, "x", "wol") for i in range(6)],
    )


def _config(**overrides) -> RoundConfig:
    base = dict(
        strategy="knn-uncertainty",
        budget=4,
        scoring=ScoringConfig(batch_size=8),
        training=TrainingConfig(epochs=2, batch_size=4, learning_rate=1e-3, seed=3),
        projection=ProjectionConfig(max_points=30, n_epochs=20),
        diagnostic_k=3,
    )
    base.update(overrides)
    return RoundConfig(**base)


def test_first_round_scores_evaluates_selects_and_projects(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    stages = []
    outcome = run_round(
        model, tiny_tokenizer, _pools(), _config(), progress=lambda s, f: stages.append(s)
    )
    assert outcome.source_scores.embeddings.shape[0] == 20
    assert outcome.target_scores.embeddings.shape[0] == 6
    assert (
        outcome.source_scores.example_ids[0] == "s0"
        and outcome.target_scores.example_ids[0] == "t0"
    )
    assert len(outcome.selection.indices) == 4
    assert 0.0 <= outcome.test_metrics.main <= 1.0
    assert outcome.map_points.target_coords.shape == (6, 2)
    assert set(outcome.selection.indices.tolist()) <= set(
        outcome.map_points.source_positions.tolist()
    )
    assert "training" not in outcome.timings  # nothing labeled yet: no training
    assert {"scoring", "evaluating", "selecting", "projecting"} <= set(stages)


def test_round_with_labels_trains_and_never_repicks(tiny_model_dir, tiny_tokenizer):
    pools = _pools()
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    version_before = model.model_version
    labeled = [with_label(pools.source[i], pools.source[i].label) for i in (0, 1, 2, 3)]
    outcome = run_round(
        model,
        tiny_tokenizer,
        pools,
        _config(projection=None),
        new_labels=labeled,
        exclude=[0, 1, 2, 3],
    )
    assert outcome.model_version != version_before
    assert outcome.timings["training"] > 0
    assert not set(outcome.selection.indices.tolist()) & {0, 1, 2, 3}
    assert outcome.map_points is None


def test_exhausted_pool_selects_nothing(tiny_model_dir, tiny_tokenizer):
    pools = _pools()
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    outcome = run_round(
        model, tiny_tokenizer, pools, _config(projection=None), exclude=list(range(20))
    )
    assert outcome.selection is None


def test_last_budget_shrinks_to_what_is_left(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    outcome = run_round(
        model, tiny_tokenizer, _pools(), _config(projection=None), exclude=list(range(18))
    )
    assert sorted(outcome.selection.indices.tolist()) == [18, 19]


def test_round_config_rejects_bad_values():
    with pytest.raises(ValueError, match="budget"):
        RoundConfig(budget=0)
    with pytest.raises(ValueError, match="k must"):
        RoundConfig(k=0)
    with pytest.raises(ValueError, match="engine must be 'local' or 'ray'"):
        RoundConfig(engine="spark")


def test_pools_languages_in_order():
    assert np.array_equal(_pools().source_languages[:3], np.array(["hau", "yor", "hau"]))


def test_balanced_strategy_balances_over_the_rounds_predictions(tiny_model_dir, tiny_tokenizer):
    from demux_core.selection.class_balance import prediction_classes
    from demux_core.selection.strategies import select

    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    config = _config(strategy="balanced-knn-uncertainty", budget=6, projection=None, k=4)
    outcome = run_round(model, tiny_tokenizer, _pools(), config)
    source, target = outcome.source_scores, outcome.target_scores
    expected = select(
        "balanced-knn-uncertainty",
        source_emb=source.embeddings,
        target_emb=target.embeddings,
        uncertainty=source.uncertainty,
        budget=6,
        k=4,
        classes=prediction_classes(source.predictions),
    )
    np.testing.assert_array_equal(outcome.selection.indices, expected)
    assert outcome.selection.strategy == "balanced-knn-uncertainty"


def test_given_distance_embeddings_drive_the_selection(tiny_model_dir, tiny_tokenizer):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    config = _config(strategy="average-dist", projection=None)
    source = np.zeros((20, 3), np.float32)
    source[[5, 9, 13, 17], 0] = 1.0  # the only points at the targets' spot
    target = np.tile(np.array([[1.0, 0.0, 0.0]], np.float32), (6, 1))
    outcome = run_round(
        model, tiny_tokenizer, _pools(), config, distance_embeddings=(source, target)
    )
    assert sorted(outcome.selection.indices.tolist()) == [5, 9, 13, 17]
    np.testing.assert_array_equal(outcome.source_scores.embeddings, source)
    with pytest.raises(
        ValueError, match="have 20 source and 5 target rows; the pools hold 20 and 6"
    ):
        run_round(model, tiny_tokenizer, _pools(), config, distance_embeddings=(source, target[:5]))


def _trained_weights(model: TaskModel) -> dict:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def test_warm_start_weight_averages_each_round_with_the_warm_start(
    tiny_model_dir, tiny_tokenizer, tmp_path
):
    pools = _pools()
    warm = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    warm_dir = warm.save(tmp_path / "warm")
    warm_weights = _trained_weights(warm)
    labeled = [with_label(pools.source[i], pools.source[i].label) for i in (0, 1, 2, 3)]

    def trained(weight: float) -> dict:
        config = _config(projection=None, training=replace(_config().training,
                                                           warm_start_weight=weight))  # fmt: skip
        model = TaskModel.load(warm_dir)
        run_round(model, tiny_tokenizer, pools, config, new_labels=labeled,
                  warm_start_dir=warm_dir, rescore=False)  # fmt: skip
        return _trained_weights(model)

    plain, averaged = trained(0.0), trained(0.25)
    name = "head.weight"
    assert not np.allclose(plain[name].numpy(), warm_weights[name].numpy())
    expected = 0.25 * warm_weights[name] + 0.75 * plain[name]
    np.testing.assert_allclose(averaged[name].numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_warm_start_weight_without_a_warm_start_is_refused_before_training(
    tiny_model_dir, tiny_tokenizer
):
    pools = _pools()
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    before = _trained_weights(model)
    config = _config(projection=None, training=replace(_config().training, warm_start_weight=0.5))
    labeled = [with_label(pools.source[0], pools.source[0].label)]
    with pytest.raises(DemuxError, match="warm_start_weight=0.5.*warm_start_dir"):
        run_round(model, tiny_tokenizer, pools, config, new_labels=labeled)
    assert all(np.array_equal(before[n].numpy(), v.numpy()) for n, v in model.state_dict().items())


def test_a_round_below_min_train_labels_only_scores_and_selects(tiny_model_dir, tiny_tokenizer):
    pools = _pools()
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    before = _trained_weights(model)
    labeled = [with_label(pools.source[i], pools.source[i].label) for i in (0, 1, 2)]
    waiting = _config(projection=None, training=replace(_config().training, min_train_labels=4))
    outcome = run_round(
        model, tiny_tokenizer, pools, waiting, new_labels=labeled, exclude=[0, 1, 2]
    )
    assert not outcome.trained and "training" not in outcome.timings
    assert all(np.array_equal(before[n].numpy(), v.numpy()) for n, v in model.state_dict().items())
    assert len(outcome.selection.indices) == 4
    earlier = [with_label(pools.source[3], pools.source[3].label)]
    outcome = run_round(model, tiny_tokenizer, pools, waiting, new_labels=labeled,
                        earlier_labels=earlier, exclude=[0, 1, 2, 3])  # fmt: skip
    assert outcome.trained and outcome.timings["training"] > 0
    assert not np.array_equal(before["head.weight"].numpy(), model.head.weight.detach().numpy())


def test_init_from_warm_start_restarts_each_round_from_the_warm_start_on_all_labels(
    tiny_model_dir, tiny_tokenizer, tmp_path
):
    pools = _pools()
    warm_dir = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0).save(
        tmp_path / "warm"
    )
    earlier = [with_label(pools.source[i], pools.source[i].label) for i in (0, 1)]
    new = [with_label(pools.source[i], pools.source[i].label) for i in (2, 3)]
    restart = _config(projection=None, training=replace(_config().training, init_from="warm_start"))

    def trained(start: TaskModel, config: RoundConfig) -> dict:
        outcome = run_round(start, tiny_tokenizer, pools, config, new_labels=new,
                            earlier_labels=earlier, warm_start_dir=warm_dir, rescore=False)  # fmt: skip
        return _trained_weights(outcome.model)

    drifted = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=7)
    from_drifted = trained(drifted, restart)
    from_warm = trained(TaskModel.load(warm_dir), restart)
    continued = trained(TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=7),
                        _config(projection=None))  # fmt: skip
    name = "head.weight"
    # the round's own model does not matter: it restarts from the warm start ...
    np.testing.assert_allclose(from_drifted[name].numpy(), from_warm[name].numpy(), atol=1e-6)
    # ... while continuing trains the model it was given
    assert not np.allclose(continued[name].numpy(), from_warm[name].numpy(), atol=1e-3)


def test_vector_margin_calibration_needs_a_held_out_set_before_training(
    tiny_model_dir, tiny_tokenizer
):
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    before = _trained_weights(model)
    pools = _pools()
    labels = [with_label(pools.source[i], pools.source[i].label) for i in range(4)]
    with pytest.raises(DemuxError, match="held-out set in the source languages"):
        run_round(
            model,
            tiny_tokenizer,
            pools,
            _config(margin_calibration="vector"),
            new_labels=labels,
        )
    after = _trained_weights(model)
    assert all(torch.equal(before[name], after[name]) for name in before)


def test_vector_margin_calibration_reranks_by_calibrated_margins(tiny_model_dir, tiny_tokenizer):
    from demux_core.scoring.heldout import fit_margin_scaling

    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    pools = _pools()
    heldout = [replace(e, id=f"h{i}") for i, e in enumerate(pools.source[:9])]
    pools = replace(pools, heldout=heldout)
    config = _config(projection=None)
    plain = run_round(model, tiny_tokenizer, pools, config)
    calibrated = run_round(
        model, tiny_tokenizer, pools, replace(config, margin_calibration="vector")
    )
    scaling = fit_margin_scaling(model, tiny_tokenizer, heldout, config.scoring)
    expected = score_pool(
        model, tiny_tokenizer, pools.source, replace(config.scoring, margin_scaling=scaling),
        progress=False,
    )  # fmt: skip
    # scored beside the target pool the batches pad differently: float32 noise only
    np.testing.assert_allclose(
        calibrated.source_scores.uncertainty, expected.uncertainty, rtol=1e-4, atol=1e-6
    )
    assert not np.allclose(calibrated.source_scores.uncertainty, plain.source_scores.uncertainty)
    assert calibrated.source_scores.predictions == plain.source_scores.predictions
    assert calibrated.test_metrics.main == plain.test_metrics.main


def test_round_config_refuses_an_unknown_margin_calibration():
    with pytest.raises(ValueError, match="margin_calibration='platt' is not one of none, vector"):
        RoundConfig(margin_calibration="platt")
