"""A fast runner without a model, for tests and UI demos.

It does what the real round pipeline does, with made-up numbers: per pool random (seeded)
embeddings, uncertainties and predictions; a random 2-D "projection"; a test "metric"
that grows with the number of labels; a random selection of not-yet-picked source points.
Everything is written through the store exactly like the real runner.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from demux_core.data.examples import QAExample, TokenExample
from service.worker import ProgressCallback
from storage.resolution import labels_of

_EMBEDDING_DIM = 8


@dataclass
class FakeRunner:
    """Writes random scores, a projection, metrics and a selection for a round.

    Attributes
    ----------
    delay_s : float
        Sleep per stage (to watch progress in the UI).
    fail_with : str or None
        When set, raises ``RuntimeError(fail_with)`` during training.
    """

    delay_s: float = 0.0
    fail_with: str | None = None

    def run(self, store: Any, round_id: int, progress: ProgressCallback) -> None:
        current = store.get_round(round_id)
        rng = np.random.default_rng(current.number)
        settings = store.info().settings
        timings: dict[str, float] = {}
        version = f"fake-r{current.number}"

        started = time.perf_counter()
        store.set_round_status(round_id, "training", progress=0.0)
        progress("training", 0.5)
        time.sleep(self.delay_s)
        if self.fail_with is not None:
            raise RuntimeError(self.fail_with)
        timings["training"] = time.perf_counter() - started

        started = time.perf_counter()
        store.set_round_status(round_id, "scoring", progress=0.0)
        uncertainties = _save_random_scores(store, version, round_id, rng)
        _save_random_projection(store, version, rng)
        progress("scoring", 1.0)
        time.sleep(self.delay_s)
        timings["scoring"] = time.perf_counter() - started

        started = time.perf_counter()
        store.set_round_status(round_id, "selecting", progress=0.0)
        _select(store, round_id, uncertainties, int(settings.get("budget", 5)), rng)
        timings["selecting"] = time.perf_counter() - started
        resolved = store.resolutions("source")
        n_labeled = len(labels_of(resolved))
        value = round(0.3 + 0.6 * (1 - np.exp(-n_labeled / 30)), 4)
        metrics = {
            "test_metric": value,
            "test_interval": [round(value - 0.05, 4), round(value + 0.05, 4)],
            "metric_name": "accuracy",
            "n_labeled": n_labeled,
            "left_out_conflicts": sum(found.state == "conflict" for found in resolved.values()),
            "pearson": round(float(rng.uniform(0.5, 0.9)), 4),
            "target_mean_margin": round(0.5 + 0.1 * current.number, 4),
        }
        if current.number > 1:  # made-up label-free progress: predictions settle round by round
            changed = round(0.3 / current.number**2, 4)
            metrics.update(target_kappa=round(1 - 1.5 * changed, 4), target_changed=changed,
                           target_compared_round=current.number - 1)  # fmt: skip
        store.set_round_status(
            round_id,
            "annotating",
            progress=1.0,
            timings=timings,
            model_version=version,
            metrics=metrics,
        )


def _prediction(example: Any, labels: tuple[str, ...], rng: np.random.Generator) -> Any:
    if isinstance(example, TokenExample):  # a guessed entity on the first word, if any type
        types = sorted({label[2:] for label in labels if label[:2] in ("B-", "I-")})
        first = [f"B-{types[0]}"] if types else ["O"]
        return (first + ["O"] * len(example.tokens))[: len(example.tokens)]
    if isinstance(example, QAExample):
        return {"answer_start": -1, "answer_text": ""}
    return str(labels[int(rng.integers(len(labels)))]) if labels else None


def _save_random_scores(
    store: Any, version: str, round_id: int, rng: np.random.Generator
) -> np.ndarray:
    """Scores for the source and target pools; returns the source uncertainties (n,)."""
    info = store.info()
    source_uncertainty = np.zeros(0)
    for pool in ("source", "target"):
        examples = store.pool_examples(pool)
        n = len(examples)
        uncertainty = rng.uniform(0.0, 1.0, size=n)
        embeddings = rng.normal(size=(n, _EMBEDDING_DIM)).astype(np.float32)
        predictions = [_prediction(example, info.labels, rng) for example in examples]
        store.save_scores(version, round_id, pool, uncertainty, predictions, embeddings)
        if pool == "source":
            source_uncertainty = uncertainty
    return source_uncertainty


def _save_random_projection(store: Any, version: str, rng: np.random.Generator) -> None:
    positions = [
        (pool, position)
        for pool in ("source", "target")
        for position in range(store.pool_size(pool))
    ]
    store.save_projection(version, positions, rng.normal(size=(len(positions), 2)))


def _select(
    store: Any, round_id: int, uncertainty: np.ndarray, budget: int, rng: np.random.Generator
) -> None:
    taken = {
        selection.position
        for earlier in store.rounds()
        if earlier.id != round_id
        for selection in store.selections(earlier.id)
    }
    free = np.array([p for p in range(uncertainty.shape[0]) if p not in taken], dtype=np.int64)
    if free.size == 0:
        raise RuntimeError("every source point has already been selected")
    chosen = rng.permutation(free)[: min(budget, free.size)]
    chosen = chosen[np.argsort(uncertainty[chosen], kind="stable")]
    distance = rng.uniform(0.5, 2.0, size=chosen.size)
    store.save_selection(round_id, chosen, uncertainty[chosen], distance, k=1)


@dataclass
class FakeTwinRunner:
    """The random twin in seconds: a made-up curve below the fake rounds' (0.3 -> 0.75), with
    +-0.05 intervals; sleeps ``delay_s`` in short steps, stopping when asked to."""

    delay_s: float = 0.0

    def run(self, store: Any, round_id: int, should_stop: Any) -> bool:
        from service.twin import twin_reason

        if twin_reason(store) is not None:
            return True
        waited = 0.0
        while waited < self.delay_s:
            if should_stop():
                return False
            time.sleep(0.05)
            waited += 0.05
        n_labeled = int(store.get_round(round_id).metrics.get("n_labeled", 0))
        value = round(0.3 + 0.45 * (1 - np.exp(-n_labeled / 30)), 4)
        store.merge_round_metrics(round_id, {
            "twin_metric": value, "twin_n_labeled": n_labeled,
            "twin_interval": [round(value - 0.05, 4), round(value + 0.05, 4)],
        })  # fmt: skip
        return True
