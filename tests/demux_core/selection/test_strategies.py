"""Selection strategies: one contract for all, hand-worked cases, brute-force references."""

import numpy as np
import pytest

from demux_core.errors import SelectionError
from demux_core.recipes import DEFAULT_STRATEGY
from demux_core.selection.strategies import (
    STRATEGIES,
    select,
    select_with_details,
)

N_SOURCE, N_TARGET, DIM = 120, 9, 6


@pytest.fixture
def pool() -> dict:
    rng = np.random.default_rng(11)
    return {
        "source_emb": rng.normal(size=(N_SOURCE, DIM)).astype(np.float32),
        "target_emb": (rng.normal(size=(N_TARGET, DIM)) + 0.5).astype(np.float32),
        "uncertainty": rng.random(N_SOURCE),
        "languages": np.array(["hau", "ibo", "yor", "swa"])[rng.integers(0, 4, N_SOURCE)],
        "classes": np.array(["health", "sports", "travel"])[rng.integers(0, 3, N_SOURCE)],
    }


class StrategyContract:
    """Behaviour every registered strategy must have; subclassed once per strategy."""

    strategy: str

    def run(self, pool: dict, **kwargs) -> np.ndarray:
        return select(self.strategy, **pool, **{"budget": 10, **kwargs})

    def test_returns_exactly_budget_int64_indices(self, pool):
        for budget in (1, 10, 37):
            picked = self.run(pool, budget=budget)
            assert picked.dtype == np.int64 and picked.shape == (budget,)
            assert ((picked >= 0) & (picked < N_SOURCE)).all()

    def test_no_duplicates(self, pool):
        picked = self.run(pool, budget=60)
        assert len(np.unique(picked)) == 60

    def test_exclusions_are_honoured(self, pool):
        exclude = list(range(0, N_SOURCE, 2))
        picked = self.run(pool, budget=30, exclude=exclude)
        assert not set(picked.tolist()) & set(exclude)

    def test_whole_remaining_pool_can_be_selected(self, pool):
        exclude = range(20, N_SOURCE)
        picked = self.run(pool, budget=20, exclude=exclude)
        assert sorted(picked.tolist()) == list(range(20))

    def test_same_seed_same_result(self, pool):
        np.testing.assert_array_equal(self.run(pool, seed=5), self.run(pool, seed=5))

    def test_pool_smaller_than_budget_is_a_clear_error(self, pool):
        message = r"budget 50 > 30 selectable source points \(120 in pool, 90 excluded\)"
        with pytest.raises(SelectionError, match=message):
            self.run(pool, budget=50, exclude=range(90))

    def test_scaling_the_margins_leaves_the_picks_alone(self, pool):
        """Margin calibration by a temperature T divides every margin by T (see
        test_head_training); strategies read margins only through their order."""
        picks = self.run(pool, budget=25, k=2)
        for factor in (0.1, 3.0):
            scaled = {**pool, "uncertainty": pool["uncertainty"] * factor}
            np.testing.assert_array_equal(self.run(scaled, budget=25, k=2), picks)

    def test_details_describe_the_selected_points(self, pool):
        details = select_with_details(self.strategy, **pool, budget=12, k=2)
        assert details.strategy == self.strategy
        np.testing.assert_array_equal(details.uncertainty, pool["uncertainty"][details.indices])
        chosen = pool["source_emb"][details.indices].astype(np.float64)
        diff = chosen[:, None, :] - pool["target_emb"][None, :, :]
        expected = np.sqrt((diff**2).sum(-1)).mean(axis=1)
        assert details.distance_to_target.dtype == np.float32
        np.testing.assert_allclose(details.distance_to_target, expected, rtol=1e-5)


class TestRandom(StrategyContract):
    strategy = "random"

    def test_other_seed_other_result(self, pool):
        assert not np.array_equal(self.run(pool, seed=1), self.run(pool, seed=2))


class TestEgalitarian(StrategyContract):
    strategy = "egalitarian"

    def test_equal_share_per_language(self, pool):
        picked = self.run(pool, budget=40)
        _, counts = np.unique(pool["languages"][picked], return_counts=True)
        assert counts.tolist() == [10, 10, 10, 10]

    def test_small_language_gives_its_remainder_to_the_others(self):
        languages = np.array(["a"] * 2 + ["b"] * 50 + ["c"] * 50)
        rng = np.random.default_rng(0)
        picked = select(
            "egalitarian",
            source_emb=rng.normal(size=(102, 3)).astype(np.float32),
            target_emb=np.zeros((0, 3), dtype=np.float32),
            uncertainty=np.zeros(102),
            budget=31,
            languages=languages,
        )
        counts = {lang: int((languages[picked] == lang).sum()) for lang in "abc"}
        # a has 2 < 31 // 3: both go, 29 left for b and c: 14 each, the last one at random.
        assert counts["a"] == 2 and {counts["b"], counts["c"]} == {14, 15}

    @pytest.mark.parametrize("budget", [5, 13, 29])
    @pytest.mark.parametrize("seed", range(5))
    def test_leftover_goes_to_distinct_languages(self, budget, seed):
        # 12 languages of 6 points: a budget that does not divide evenly is spread so that
        # shares differ by at most one (a uniform draw of the leftover could stack them).
        languages = np.repeat([f"l{i:02d}" for i in range(12)], 6)
        picked = select(
            "egalitarian",
            source_emb=np.zeros((72, 2), dtype=np.float32),
            target_emb=np.zeros((0, 2), dtype=np.float32),
            uncertainty=np.zeros(72),
            budget=budget,
            languages=languages,
            seed=seed,
        )
        counts = np.array([(languages[picked] == name).sum() for name in np.unique(languages)])
        assert counts.sum() == budget and counts.max() - counts.min() <= 1

    def test_needs_languages(self, pool):
        with pytest.raises(SelectionError, match="'egalitarian' needs languages"):
            self.run({**pool, "languages": None})


class TestAverageDist(StrategyContract):
    strategy = "average-dist"


class TestTypicalKnn(StrategyContract):
    strategy = "typical-knn"


class TestUncertainty(StrategyContract):
    strategy = "uncertainty"

    def test_lowest_margins_first_ties_by_index(self):
        margins = np.array([0.5, 0.1, 0.3, 0.1, 0.9])
        picked = select(
            "uncertainty",
            source_emb=np.zeros((5, 2), dtype=np.float32),
            target_emb=np.zeros((1, 2), dtype=np.float32),
            uncertainty=margins,
            budget=3,
        )
        assert picked.tolist() == [1, 3, 2]


class TestKnnUncertainty(StrategyContract):
    strategy = "knn-uncertainty"


class TestUncertaintyKnn(StrategyContract):
    strategy = "uncertainty-knn"


class GroupBalancedChecks:
    """Checks shared by the knn-uncertainty variants whose groups take turns.

    ``group`` is the pool key holding the groups, ``crowded`` a group given the lowest margins,
    ``budget``/``k`` a selection in which plain knn-uncertainty takes at least
    ``min_crowded`` points of it, ``counts`` the balanced picks' sorted group counts.
    """

    strategy: str
    group: str
    crowded: str
    budget: int
    k: int
    min_crowded: int
    counts: list[int]

    def test_one_group_is_knn_uncertainty(self, pool):
        one_group = {**pool, self.group: np.full(N_SOURCE, self.crowded)}
        for budget in (3, 25):
            balanced = select_with_details(self.strategy, **one_group, budget=budget, k=2)
            plain = select_with_details("knn-uncertainty", **pool, budget=budget, k=2)
            np.testing.assert_array_equal(balanced.indices, plain.indices)
            assert balanced.k_used == plain.k_used

    def test_picks_are_spread_over_the_groups(self, pool):
        # One group holds the lowest margins: plain knn-uncertainty then takes mostly it.
        groups = pool[self.group]
        skewed = {**pool, "uncertainty": np.where(groups == self.crowded, 0.0, 1.0)}
        skewed["uncertainty"] = skewed["uncertainty"] + pool["uncertainty"] * 1e-3
        plain = select("knn-uncertainty", **skewed, budget=self.budget, k=self.k)
        balanced = select(self.strategy, **skewed, budget=self.budget, k=self.k)
        assert (groups[plain] == self.crowded).sum() >= self.min_crowded
        assert sorted(np.unique(groups[balanced], return_counts=True)[1]) == self.counts

    def test_needs_its_groups(self, pool):
        without = {key: value for key, value in pool.items() if key != self.group}
        with pytest.raises(SelectionError, match=f"'{self.strategy}' needs {self.group}"):
            select(self.strategy, **without, budget=5)


class TestBalancedKnnUncertainty(GroupBalancedChecks, StrategyContract):
    strategy = "balanced-knn-uncertainty"
    group, crowded, budget, k, min_crowded, counts = "classes", "sports", 9, 1, 8, [3, 3, 3]


class TestEgalitarianKnnUncertainty(GroupBalancedChecks, StrategyContract):
    strategy = "egalitarian-knn-uncertainty"
    group, crowded, budget, k, min_crowded, counts = "languages", "hau", 8, 8, 8, [2, 2, 2, 2]


def test_every_registered_strategy_has_a_contract_subclass():
    covered = {cls.strategy for cls in StrategyContract.__subclasses__()}
    assert covered == set(STRATEGIES)
    assert DEFAULT_STRATEGY == "knn-uncertainty" in STRATEGIES


# A 2-D example worked out by hand. Targets t0 = (0.4, 0), t1 = (5.7, 0).
#   source   point     to t0    to t1    mean     margin
#   s0       (0, 0)    0.400    5.700    3.050    0.90
#   s1       (1, 1)    1.166    4.805    2.986    0.10
#   s2       (5, 0)    4.600    0.700    2.650    0.50
#   s3       (6, 0)    5.600    0.300    2.950    0.80
#   s4       (10, 0)   9.600    4.300    6.950    0.05
#   s5       (0, 3)    3.027    6.441    4.734    0.20
# Nearest first: t0 -> s0 s1 s5 s2 s3 s4 ; t1 -> s3 s2 s4 s1 s0 s5.
HAND = {
    "source_emb": np.array([[0, 0], [1, 1], [5, 0], [6, 0], [10, 0], [0, 3]], dtype=np.float32),
    "target_emb": np.array([[0.4, 0], [5.7, 0]], dtype=np.float32),
    "uncertainty": np.array([0.9, 0.1, 0.5, 0.8, 0.05, 0.2]),
}


@pytest.mark.parametrize(
    ("budget", "exclude", "expected", "k_used"),
    [
        # k=1: {s0, s3} = 2, not > 2; k=2: {s0, s1, s2, s3}; lowest margins s1, s2.
        (2, (), [1, 2], 2),
        # k=2 union minus s1 = {s0, s2, s3} > 2: s2, s3.
        (2, (1,), [2, 3], 2),
        # k=2 union has exactly 4 = budget, so k doubles to 4: all six points.
        (4, (), [4, 1, 5, 2], 4),
        # k=4 gives the 5 selectable points = budget: k goes to 6 = n and stops there.
        (5, (4,), [1, 5, 2, 3, 0], 6),
    ],
)
def test_knn_uncertainty_by_hand(budget, exclude, expected, k_used):
    details = select_with_details("knn-uncertainty", **HAND, budget=budget, exclude=exclude)
    assert details.indices.tolist() == expected
    assert details.k_used == k_used


def test_knn_uncertainty_starts_from_the_given_k():
    details = select_with_details("knn-uncertainty", **HAND, budget=2, k=4)
    assert details.indices.tolist() == [4, 1] and details.k_used == 4


@pytest.mark.parametrize(("exclude", "expected"), [((), [2, 3, 1]), ((2,), [3, 1, 0])])
def test_average_dist_by_hand(exclude, expected):
    details = select_with_details("average-dist", **HAND, budget=3, exclude=exclude)
    assert details.indices.tolist() == expected
    hand_means = {0: 3.050, 1: 2.986, 2: 2.650, 3: 2.950}
    np.testing.assert_allclose(
        details.distance_to_target, [hand_means[i] for i in expected], atol=1e-3
    )


def test_uncertainty_knn_by_hand():
    # budget 1: the 4 * 1 candidates by margin are s4, s1, s5, s2, whose nearest-target
    # distances are 4.3, 1.166, 3.027, 0.7 -> s2.
    assert select("uncertainty-knn", **HAND, budget=1).tolist() == [2]
    # budget 2: 8 candidates = all six points; nearest-target: s3 0.3, s0 0.4 -> s3, s0.
    details = select_with_details("uncertainty-knn", **HAND, budget=2)
    assert details.indices.tolist() == [3, 0] and details.k_used == 1


def test_balanced_knn_uncertainty_by_hand():
    # k = 2 union (budget 2): s0 0.9, s1 0.1, s2 0.5, s3 0.8. Classes a: s1, s2; b: s0, s3.
    # Turn 0: s1 (a, 0.1), s3 (b, 0.8); turn 1: s2 (a, 0.5), s0 (b, 0.9).
    classes = np.array(["b", "a", "a", "b", "a", "a"])
    details = select_with_details("balanced-knn-uncertainty", **HAND, budget=2, classes=classes)
    assert details.indices.tolist() == [1, 3] and details.k_used == 2
    # knn-uncertainty would take s1 and s2, both of class a.
    assert select("knn-uncertainty", **HAND, budget=2).tolist() == [1, 2]


def test_egalitarian_knn_uncertainty_by_hand():
    # k = 2 union (budget 2): s0 0.9, s1 0.1, s2 0.5, s3 0.8. Languages hau: s1, s2; yor: s0, s3.
    # Turn 0: s1 (hau, 0.1), s3 (yor, 0.8); turn 1: s2 (hau, 0.5), s0 (yor, 0.9).
    languages = np.array(["yor", "hau", "hau", "yor", "hau", "yor"])
    details = select_with_details(
        "egalitarian-knn-uncertainty", **HAND, budget=3, languages=languages
    )
    # budget 3: k = 2 gives 4 > 3 points; order s1, s3, s2.
    assert details.indices.tolist() == [1, 3, 2] and details.k_used == 2


def brute_knn_uncertainty(source, target, margins, budget, exclude, k):
    """Reference: full distance matrix, full stable sort per target, doubling loop."""
    n = len(source)
    diff = target[:, None, :].astype(np.float64) - source[None, :, :].astype(np.float64)
    order = np.argsort(np.sqrt((diff**2).sum(-1)), axis=1, kind="stable")
    allowed = np.ones(n, dtype=bool)
    allowed[list(exclude)] = False
    k = min(k, n)
    while True:
        union = np.zeros(n, dtype=bool)
        union[order[:, :k].ravel()] = True
        union &= allowed
        if union.sum() > budget or k >= n:
            break
        k = min(2 * k, n)
    candidates = np.flatnonzero(union)
    return candidates[np.argsort(margins[candidates], kind="stable")][:budget], k


@pytest.mark.parametrize("seed", range(6))
def test_knn_uncertainty_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(50, 400)), int(rng.integers(1, 30))
    source = rng.normal(size=(n, 5)).astype(np.float32)
    target = (rng.normal(size=(m, 5)) + rng.normal()).astype(np.float32)
    margins = rng.random(n)
    exclude = rng.choice(n, size=int(rng.integers(0, n // 2)), replace=False).tolist()
    budget = int(rng.integers(1, n - len(exclude) + 1))
    k = int(rng.integers(1, 5))
    details = select_with_details(
        "knn-uncertainty",
        source_emb=source,
        target_emb=target,
        uncertainty=margins,
        budget=budget,
        exclude=exclude,
        k=k,
    )
    expected, k_used = brute_knn_uncertainty(source, target, margins, budget, exclude, k)
    np.testing.assert_array_equal(details.indices, expected)
    assert details.k_used == k_used


@pytest.mark.parametrize("seed", range(3))
def test_average_dist_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(300, 7)).astype(np.float32)
    target = (rng.normal(size=(17, 7)) + 1.0).astype(np.float32)
    exclude = rng.choice(300, size=40, replace=False)
    diff = source[:, None, :].astype(np.float64) - target[None, :, :]
    means = np.sqrt((diff**2).sum(-1)).mean(axis=1)
    means[exclude] = np.inf
    picked = select(
        "average-dist",
        source_emb=source,
        target_emb=target,
        uncertainty=np.zeros(300),
        budget=25,
        exclude=exclude,
    )
    np.testing.assert_array_equal(picked, np.argsort(means, kind="stable")[:25])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"strategy": "nope"},
            "unknown strategy 'nope'; known strategies: knn-uncertainty, balanced-knn-uncertainty",
        ),
        ({"budget": 0}, "budget must be a positive integer, got 0"),
        ({"k": 0}, "k must be a positive integer, got 0"),
        ({"target_emb": np.zeros((2, 3), np.float32)}, "dimension mismatch: source_emb has dim 2"),
        ({"source_emb": np.zeros(6, np.float32)}, r"source_emb must be a 2-D \(rows, dim\) array"),
        ({"uncertainty": np.zeros(5)}, r"uncertainty must have shape \(6,\), got \(5,\)"),
        ({"uncertainty": np.array([0, 0, np.nan, 0, 0, 0])}, "uncertainty contains NaN or inf"),
        (
            {"source_emb": np.array([[0, 0]] * 3 + [[np.inf, 0]] + [[0, 0]] * 2)},
            r"source_emb contains NaN or inf \(first at row 3\)",
        ),
        ({"exclude": (6,)}, r"exclude holds index 6, outside the source pool \[0, 6\)"),
        (
            {"target_emb": np.zeros((0, 2), np.float32)},
            "'knn-uncertainty' needs a non-empty target",
        ),
        ({"languages": ["a"] * 5}, r"languages must have shape \(6,\)"),
        ({"classes": ["a"] * 7}, r"classes must have shape \(6,\), got \(7,\)"),
    ],
)
def test_bad_input_is_a_clear_error(change, message):
    arguments = {"strategy": "knn-uncertainty", **HAND, "budget": 2, **change}
    strategy = arguments.pop("strategy")
    with pytest.raises(SelectionError, match=message):
        select(strategy, **arguments)


def test_empty_target_is_fine_without_distances():
    details = select_with_details(
        "uncertainty", **{**HAND, "target_emb": np.zeros((0, 2), np.float32)}, budget=2
    )
    assert details.indices.tolist() == [4, 1]
    assert np.isnan(details.distance_to_target).all()


def test_classes_are_made_only_for_strategies_that_balance():
    from demux_core.selection.strategies import classes_for

    predictions = ["sports", ("B-PER", "O")]
    assert classes_for("knn-uncertainty", predictions) is None
    assert classes_for("balanced-knn-uncertainty", predictions).tolist() == ["sports", "PER"]


def test_the_registry_holds_each_strategy_and_its_needs():
    from demux_core.recipes import DEFAULT_STRATEGY
    from demux_core.selection.strategies import (
        CLASS_STRATEGIES,
        DISTANCE_STRATEGIES,
        LANGUAGE_STRATEGIES,
        REGISTRY,
        SCORE_FREE_STRATEGIES,
    )
    from service.project_settings import STRATEGY_NAMES

    assert tuple(REGISTRY) == STRATEGY_NAMES and STRATEGY_NAMES[0] == DEFAULT_STRATEGY
    assert {"balanced-knn-uncertainty"} == CLASS_STRATEGIES
    assert {"egalitarian", "egalitarian-knn-uncertainty"} == LANGUAGE_STRATEGIES
    assert {"random", "egalitarian"} == SCORE_FREE_STRATEGIES
    assert {name for name in REGISTRY if "knn" in name or "dist" in name} == DISTANCE_STRATEGIES
