"""Task metrics over gold and predicted labels, per language, with bootstrap intervals.

No torch. Conventions
---------------------
* NER (``tag_scheme="bio"``): entity-level micro precision / recall / F1. Entities are read
  with seqeval's ``get_entities`` (its default, conlleval-compatible mode: an ``I-X`` after
  ``O`` or after another type starts an entity), and an entity counts as correct only when
  type, start and end all match. Totals equal ``seqeval.metrics.f1_score`` in default mode.
  0/0 counts as 0.
* POS (``tag_scheme="pos"``): token accuracy.
* Sequence / pair classification: accuracy and macro-F1 over the classes seen in gold or
  predictions (a class never predicted and never gold does not count).
* QA: exact match and token F1 of :mod:`demux_core.rounds.qa_metrics` (a multilingual-safe
  normalisation; ``""`` means "no answer").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from seqeval.metrics.sequence_labeling import get_entities

from demux_core.data.examples import TaskType
from demux_core.rounds.qa_metrics import qa_exact_match, qa_token_f1

TAG_SCHEMES = ("bio", "pos")


@dataclass(frozen=True)
class Metrics:
    """Evaluation result.

    Attributes
    ----------
    main : float
        Headline figure: F1 for NER and QA, accuracy for POS and classification.
    values : dict of str -> float
        All figures (e.g. ``precision``, ``recall``, ``f1``).
    per_language : dict of str -> dict of str -> float
        The same figures per language (empty when no languages were given).
    n : int
        Number of evaluated examples.
    predictions : tuple
        The evaluated predictions (kept for paired bootstraps; not part of ``to_dict``).
    """

    main: float
    values: dict[str, float]
    per_language: dict[str, dict[str, float]]
    n: int
    predictions: tuple = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (without the predictions)."""
        return {
            "main": self.main,
            "values": dict(self.values),
            "per_language": {k: dict(v) for k, v in self.per_language.items()},
            "n": self.n,
        }


def evaluate(
    task: TaskType | str,
    gold: Sequence[Any],
    predicted: Sequence[Any],
    languages: Sequence[str] | None = None,
    tag_scheme: str = "bio",
) -> Metrics:
    """Score predictions against gold labels.

    Parameters
    ----------
    task : TaskType or str
        ``token`` (gold/predicted: sequences of tag sequences), ``sequence``/``pair``
        (labels), ``qa`` (answer texts, ``""`` for no answer).
    gold, predicted : sequence, length n
        Aligned gold and predicted labels.
    languages : sequence of str, length n, optional
        Language of each example, for ``per_language``.
    tag_scheme : {"bio", "pos"}
        For token tasks: entity F1 (``bio``) or token accuracy (``pos``).

    Returns
    -------
    Metrics
    """
    stats, metric_name = _example_stats(TaskType(task), gold, predicted, tag_scheme)
    values = _values_from_sums(stats.sum(axis=0), metric_name)
    per_language: dict[str, dict[str, float]] = {}
    if languages is not None:
        if len(languages) != len(gold):
            raise ValueError(f"{len(languages)} languages for {len(gold)} examples")
        codes = np.asarray(languages, dtype=object)
        for language in sorted(set(languages)):
            per_language[language] = _values_from_sums(
                stats[codes == language].sum(axis=0), metric_name
            )
    main = values[_MAIN[metric_name]]
    return Metrics(main, values, per_language, len(gold), tuple(predicted))


def bootstrap_ci(
    gold: Sequence[Any],
    predicted: Sequence[Any],
    task: TaskType | str,
    n_resamples: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    tag_scheme: str = "bio",
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap confidence intervals over test examples.

    Each example is reduced to a row of additive counts (NER: TP/FP/FN per sentence; POS:
    correct/total tokens; classification: per-class TP/FP/FN; QA: EM and F1), resampling is
    one multinomial count matrix of shape (n_resamples, n), and every metric is computed
    from the matrix product with the counts, so no Python loop runs over resamples.

    Returns
    -------
    dict of str -> (float, float)
        ``(low, high)`` for every figure :func:`evaluate` reports.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    stats, metric_name = _example_stats(TaskType(task), gold, predicted, tag_scheme)
    n = stats.shape[0]
    if n == 0:
        raise ValueError("bootstrap needs at least one example")
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_resamples)  # (R, n) int64
    sums = weights @ stats  # (R, k) float64
    resampled = _values_from_sums(sums, metric_name)
    quantiles = [alpha / 2, 1 - alpha / 2]
    return {
        name: tuple(float(q) for q in np.quantile(np.asarray(column, dtype=np.float64), quantiles))
        for name, column in resampled.items()
    }


def main_interval(
    gold: Sequence[Any],
    predicted: Sequence[Any],
    task: TaskType | str,
    n_resamples: int = 1000,
    seed: int = 0,
    tag_scheme: str = "bio",
) -> tuple[float, float]:
    """The 95 % percentile bootstrap interval of :func:`evaluate`'s main figure."""
    _, metric_name = _example_stats(TaskType(task), gold[:1], predicted[:1], tag_scheme)
    intervals = bootstrap_ci(gold, predicted, task, n_resamples, seed, tag_scheme=tag_scheme)
    return intervals[_MAIN[metric_name]]


def resampled_main(
    gold: Sequence[Any],
    predicted: Sequence[Any],
    task: TaskType | str,
    weights: np.ndarray,
    tag_scheme: str = "bio",
) -> np.ndarray:
    """The headline metric under given bootstrap weights, shape (R,) float64.

    ``weights`` (R, n) are multinomial counts over the n test examples. Passing the same
    weights for several prediction sets gives a *paired* bootstrap: the difference of two
    systems, or a mean over seeds, is computed on the same resampled test sets.
    """
    stats, metric_name = _example_stats(TaskType(task), gold, predicted, tag_scheme)
    if weights.ndim != 2 or weights.shape[1] != stats.shape[0]:
        raise ValueError(f"weights must have shape (R, {stats.shape[0]}), got {weights.shape}")
    values = _values_from_sums(weights @ stats, metric_name)
    return np.asarray(values[_MAIN[metric_name]], dtype=np.float64)


_MAIN = {"ner": "f1", "pos": "accuracy", "classification": "accuracy", "qa": "f1"}


def _example_stats(
    task: TaskType, gold: Sequence[Any], predicted: Sequence[Any], tag_scheme: str
) -> tuple[np.ndarray, str]:
    """Per-example additive counts, shape (n, k) float64, and the metric family name."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold but {len(predicted)} predicted examples")
    if task == TaskType.TOKEN:
        if tag_scheme not in TAG_SCHEMES:
            raise ValueError(f"tag_scheme must be one of {TAG_SCHEMES}, got {tag_scheme!r}")
        _check_lengths(gold, predicted)
        if tag_scheme == "pos":
            return _pos_stats(gold, predicted), "pos"
        return _ner_stats(gold, predicted), "ner"
    if task == TaskType.QA:
        return _qa_stats(gold, predicted), "qa"
    return _classification_stats(gold, predicted), "classification"


def _check_lengths(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> None:
    for index, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"example {index}: {len(g)} gold tags but {len(p)} predicted")


def _ner_stats(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> np.ndarray:
    """Columns: true positives, false positives, false negatives (entities)."""
    rows = np.zeros((len(gold), 3), dtype=np.float64)
    for index, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        gold_entities = set(get_entities(list(g)))
        predicted_entities = set(get_entities(list(p)))
        true_positives = len(gold_entities & predicted_entities)
        rows[index] = (
            true_positives,
            len(predicted_entities) - true_positives,
            len(gold_entities) - true_positives,
        )
    return rows


def _pos_stats(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> np.ndarray:
    """Columns: correct tokens, tokens."""
    return np.array(
        [
            (sum(a == b for a, b in zip(g, p, strict=True)), len(g))
            for g, p in zip(gold, predicted, strict=True)
        ],
        dtype=np.float64,
    ).reshape(-1, 2)


def _classification_stats(gold: Sequence[str], predicted: Sequence[str]) -> np.ndarray:
    """Columns: correct, then per class (sorted) TP, FP, FN; shape (n, 1 + 3 * classes)."""
    classes = sorted(set(gold) | set(predicted), key=str)
    index = {label: i for i, label in enumerate(classes)}
    n = len(gold)
    gold_ids = np.array([index[g] for g in gold], dtype=np.int64)
    predicted_ids = np.array([index[p] for p in predicted], dtype=np.int64)
    correct = gold_ids == predicted_ids
    rows = np.zeros((n, 1 + 3 * len(classes)), dtype=np.float64)
    rows[:, 0] = correct
    positions = np.arange(n)
    rows[positions[correct], 1 + 3 * gold_ids[correct]] = 1.0  # TP
    rows[positions[~correct], 2 + 3 * predicted_ids[~correct]] = 1.0  # FP
    rows[positions[~correct], 3 + 3 * gold_ids[~correct]] = 1.0  # FN
    return rows


def _qa_stats(gold: Sequence[str], predicted: Sequence[str]) -> np.ndarray:
    """Columns: exact match, token F1, count (1)."""
    return np.array(
        [
            (qa_exact_match(p, g), qa_token_f1(p, g), 1.0)
            for g, p in zip(gold, predicted, strict=True)
        ],
        dtype=np.float64,
    ).reshape(-1, 3)


def _ratio(numerator: Any, denominator: Any) -> Any:
    """Elementwise numerator / denominator with 0 where the denominator is 0."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def _f1(precision: Any, recall: Any) -> Any:
    return _ratio(2 * precision * recall, precision + recall)


def _values_from_sums(sums: np.ndarray, metric_name: str) -> dict[str, Any]:
    """Metric values from summed counts: shape (k,) gives floats, (R, k) gives arrays (R,)."""
    columns = np.moveaxis(np.asarray(sums, dtype=np.float64), -1, 0)
    if metric_name == "ner":
        tp, fp, fn = columns
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        values = {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}
    elif metric_name == "pos":
        values = {"accuracy": _ratio(columns[0], columns[1])}
    elif metric_name == "qa":
        values = {
            "exact_match": _ratio(columns[0], columns[2]),
            "f1": _ratio(columns[1], columns[2]),
        }
    else:
        tp, fp, fn = columns[1::3], columns[2::3], columns[3::3]
        support = tp + fp + fn > 0  # classes present in this (re)sample
        class_f1 = _f1(_ratio(tp, tp + fp), _ratio(tp, tp + fn))
        n = tp.sum(axis=0) + fn.sum(axis=0)
        values = {
            "accuracy": _ratio(columns[0], n),
            "macro_f1": _ratio((class_f1 * support).sum(axis=0), support.sum(axis=0)),
        }
    if np.ndim(next(iter(values.values()))) == 0:
        return {name: float(value) for name, value in values.items()}
    return values
