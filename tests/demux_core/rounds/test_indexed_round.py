"""The indexed round picks exactly what a full rescore with the same model and vectors picks."""

import numpy as np
import pytest

from demux_core.config import ScoringConfig, TrainingConfig
from demux_core.data.examples import SequenceExample
from demux_core.index.search import NeighbourSearch
from demux_core.models.task_model import TaskModel
from demux_core.rounds.indexed import FixedPools
from demux_core.rounds.projection import ProjectionConfig
from demux_core.rounds.round import run_round
from demux_core.rounds.types import Pools, RoundConfig
from demux_core.scoring.pool import UNSCORED
from demux_core.selection.strategies import REGISTRY
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
tiny_tokenizer = tiny_model.tiny_tokenizer
CLASSES = ("place", "sport", "science")
N_SOURCE, N_TARGET = 160, 8


def _pools() -> Pools:
    words = tiny_model.TINY_SENTENCES
    source = [SequenceExample(f"s{i}", ("hau", "yor", "ewe")[i % 3],
                              f"{words[i % len(words)]} {words[(i * 7) % len(words)]} {i}")
              for i in range(N_SOURCE)]  # fmt: skip
    target = [SequenceExample(f"t{i}", "wol", words[(i * 3) % len(words)]) for i in range(N_TARGET)]
    return Pools(source=source, target=target)


def _fixed(with_map: bool = False) -> FixedPools:
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(6, 12)) * 3
    source = (centres[rng.integers(0, 6, N_SOURCE)] + rng.normal(size=(N_SOURCE, 12))).astype(
        np.float32
    )
    target = (centres[rng.integers(0, 6, N_TARGET)] + rng.normal(size=(N_TARGET, 12))).astype(
        np.float32
    )
    coords = {}
    if with_map:
        coords = dict(source_coords=rng.normal(size=(N_SOURCE, 2)).astype(np.float32),
                      target_coords=rng.normal(size=(N_TARGET, 2)).astype(np.float32))  # fmt: skip
    return FixedPools(source, target, NeighbourSearch(source).search, **coords)


def _config(strategy: str, **overrides) -> RoundConfig:
    base = dict(strategy=strategy, budget=6, k=1, scoring=ScoringConfig(batch_size=16),
                training=TrainingConfig(epochs=1, batch_size=4, seed=3), projection=None,
                diagnostic_k=3)  # fmt: skip
    base.update(overrides)
    return RoundConfig(**base)


@pytest.mark.parametrize("strategy", sorted(REGISTRY))
def test_indexed_round_picks_what_a_full_rescore_picks(strategy, tiny_model_dir, tiny_tokenizer):
    pools, fixed = _pools(), _fixed()
    exclude = [0, 3, 17, 40]
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    full = run_round(model, tiny_tokenizer, pools, _config(strategy), exclude=exclude,
                     distance_embeddings=(fixed.source, fixed.target))  # fmt: skip
    fast = run_round(model, tiny_tokenizer, pools, _config(strategy), exclude=exclude, fixed=fixed)
    np.testing.assert_array_equal(fast.selection.indices, full.selection.indices)
    scored = fast.source_scores.scored
    np.testing.assert_allclose(fast.source_scores.uncertainty[scored],
                               full.source_scores.uncertainty[scored], rtol=1e-5, atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(
        fast.selection.uncertainty, full.selection.uncertainty, rtol=1e-5, atol=1e-6
    )
    # margins of a subset are scored in other batches: float sums differ in the 6th digit
    assert fast.pearson == pytest.approx(full.pearson, abs=1e-4)
    reads = REGISTRY[strategy].margins
    if reads == "all":
        assert len(scored) == N_SOURCE
    else:  # the win: most rows are never scored
        assert len(scored) < N_SOURCE / 2
        unscored = np.setdiff1d(np.arange(N_SOURCE), scored)
        assert (fast.source_scores.uncertainty[unscored] == UNSCORED).all()
        assert all(fast.source_scores.predictions[i] is None for i in unscored)
        assert all(fast.source_scores.predictions[i] is not None for i in fast.selection.indices)


def test_indexed_round_puts_picks_on_the_fixed_map(tiny_model_dir, tiny_tokenizer):
    pools, fixed = _pools(), _fixed(with_map=True)
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    config = _config("knn-uncertainty", projection=ProjectionConfig(max_points=40))
    outcome = run_round(
        model, tiny_tokenizer, pools, config, exclude=[1, 2], keep_on_map=[1, 2], fixed=fixed
    )
    points = outcome.map_points
    shown = points.source_positions.tolist()
    assert {1, 2} | set(outcome.selection.indices.tolist()) <= set(shown)
    np.testing.assert_array_equal(
        points.source_coords, fixed.source_coords[points.source_positions]
    )
    np.testing.assert_array_equal(points.target_coords, fixed.target_coords)


def test_an_index_of_another_pool_is_refused(tiny_model_dir, tiny_tokenizer):
    pools, fixed = _pools(), _fixed()
    short = FixedPools(fixed.source[:-1], fixed.target, fixed.search)
    model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
    with pytest.raises(Exception, match="rebuild the index"):
        run_round(model, tiny_tokenizer, pools, _config("knn-uncertainty"), fixed=short)


def test_rounds_with_the_lower_layer_cache_equal_rounds_without(tiny_model_dir, tiny_tokenizer):
    """Two trained rounds on frozen bottom layers: the cache changes no pick, metric or model,
    and the second round computes no bottom-layer state it has seen."""
    from demux_core.data.labels import with_label
    from demux_core.models.lower_cache import LowerLayerCache

    pools, fixed = _pools(), _fixed()
    pools = Pools(source=pools.source, target=pools.target,
                  test=[with_label(e, CLASSES[i % 3]) for i, e in enumerate(pools.target)])  # fmt: skip
    config = _config("knn-uncertainty",
                     training=TrainingConfig(epochs=1, batch_size=4, seed=3, frozen_layers=1))  # fmt: skip
    cache = LowerLayerCache()
    outcomes = {}
    for name, lower in (("plain", None), ("cached", cache)):
        model = TaskModel.from_pretrained(tiny_model_dir, "sequence", CLASSES, seed=0)
        picked, runs = [], []
        for _ in range(2):
            labels = [with_label(pools.source[i], CLASSES[i % 3]) for i in picked[-6:]]
            outcome = run_round(model, tiny_tokenizer, pools, config, new_labels=labels,
                                exclude=picked, fixed=fixed, lower_cache=lower)  # fmt: skip
            picked += outcome.selection.indices.tolist()
            runs.append(outcome)
            if name == "cached" and len(runs) == 1:
                misses = cache.misses
        outcomes[name] = runs
    for plain, cached in zip(outcomes["plain"], outcomes["cached"], strict=True):
        np.testing.assert_array_equal(cached.selection.indices, plain.selection.indices)
        assert cached.test_metrics.main == pytest.approx(plain.test_metrics.main)
    assert cache.misses - misses <= 6  # round 2: at most the newly labeled rows are new
    assert cache.hits > 0
