"""Agreement between annotators who labeled the same items.

Pure functions over labels (no storage): the app's Agreement view calls them per label
schema and per annotator pair (:mod:`service.team.agreement`).

- :func:`pair_kappa`: Cohen's kappa of two annotators over the items both labeled (token
  tasks: word by word). 1 = perfect agreement, 0 = what chance gives, < 0 = worse.
- :func:`alpha`: Krippendorff's alpha (nominal) over any number of annotators, items with
  missing ratings allowed (the ``krippendorff`` package). Same scale as kappa.
- :func:`kappa_interval`: a bootstrap 95 % interval of :func:`pair_kappa`, resampling items.
- :func:`span_f1`: entity-level F1 of one annotator's spans against another's (symmetric:
  ``2 |A & B| / (|A| + |B|)``); spans must match in start, end and type.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from demux_core.rounds.stability import cohen_kappa, units

Label = str | tuple[str, ...]


def pair_kappa(first: Sequence[Label], second: Sequence[Label]) -> float:
    """Cohen's kappa of two annotators' labels of the same items, in the same order.

    Raises
    ------
    ValueError
        When the items (or a token item's words) do not line up, or there are none.
    """
    _check_aligned(first, second)
    return cohen_kappa(units(first), units(second))


def kappa_interval(
    first: Sequence[Label], second: Sequence[Label], resamples: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """The middle 95 % of :func:`pair_kappa` over ``resamples`` bootstrap resamples of the
    items (a token item's words stay together).

    Parameters
    ----------
    first, second : sequences of labels, length n, aligned as in :func:`pair_kappa`
    resamples : int
        Item index draws, shape (resamples, n), from ``numpy.random.default_rng(seed)``.

    Returns
    -------
    (float, float)
        The 2.5th and 97.5th percentiles.
    """
    _check_aligned(first, second)
    if not first:
        raise ValueError("kappa needs at least one item")
    per_item = [(units([a]), units([b])) for a, b in zip(first, second, strict=True)]
    values = sorted({u for a, b in per_item for u in (*a, *b)})
    index = {value: i for i, value in enumerate(values)}
    words = np.array([len(a) for a, _ in per_item], dtype=np.float64)  # (n,)
    agree = np.array([sum(x == y for x, y in zip(a, b, strict=True)) for a, b in per_item],
                     dtype=np.float64)  # fmt: skip
    counts_a = np.zeros((len(per_item), len(values)))  # (n, classes): words per class
    counts_b = np.zeros_like(counts_a)
    for i, (a, b) in enumerate(per_item):
        np.add.at(counts_a[i], [index[u] for u in a], 1)
        np.add.at(counts_b[i], [index[u] for u in b], 1)
    draws = np.random.default_rng(seed).integers(len(per_item), size=(resamples, len(per_item)))
    total = words[draws].sum(axis=1)  # (resamples,)
    observed = agree[draws].sum(axis=1) / total
    share_a = counts_a[draws].sum(axis=1) / total[:, None]  # (resamples, classes)
    share_b = counts_b[draws].sum(axis=1) / total[:, None]
    expected = (share_a * share_b).sum(axis=1)
    certain = expected >= 1.0 - 1e-12  # one class everywhere: 1 if they agree, as cohen_kappa
    kappas = np.where(certain, (observed >= 1.0).astype(float),
                      (observed - expected) / np.where(certain, 1.0, 1.0 - expected))  # fmt: skip
    low, high = np.percentile(kappas, [2.5, 97.5])
    return float(low), float(high)


def alpha(ratings: Sequence[Sequence[Label | None]]) -> float:
    """Krippendorff's alpha, nominal, of annotators x items (``None`` = not labeled).

    Parameters
    ----------
    ratings : sequence of sequences, shape (n_annotators, n_items)
        Token items are expanded word by word; an annotator who did not label an item
        gives ``None`` for it (for every word of it).

    Returns
    -------
    float
        NaN when no item has two ratings or every rating is one value (alpha undefined).
    """
    import krippendorff

    if len(ratings) < 2:
        raise ValueError("alpha needs at least two annotators")
    widths = [_width([row[i] for row in ratings]) for i in range(len(ratings[0]))]
    values: dict[str, int] = {}
    matrix = np.full((len(ratings), sum(widths)), np.nan)
    for a, row in enumerate(ratings):
        if len(row) != len(widths):
            raise ValueError(f"annotator {a} has {len(row)} items, annotator 0 {len(widths)}")
        column = 0
        for label, width in zip(row, widths, strict=True):
            if label is not None:
                cells = units([label])
                if len(cells) != width:
                    raise ValueError(f"item at column {column}: {len(cells)} words, not {width}")
                for offset, cell in enumerate(cells):
                    matrix[a, column + offset] = values.setdefault(cell, len(values))
            column += width
    paired = np.sum(~np.isnan(matrix), axis=0) >= 2
    if not paired.any() or len(np.unique(matrix[:, paired][~np.isnan(matrix[:, paired])])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def spans(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """The entity spans of one BIO tag sequence: ``(first word, last word, type)``."""
    from seqeval.metrics.sequence_labeling import get_entities

    return {(start, end, kind) for kind, start, end in get_entities(list(tags))}


def span_f1(first: Sequence[Sequence[str]], second: Sequence[Sequence[str]]) -> float:
    """Entity-level F1 between two annotators' tag sequences of the same sentences.

    1.0 when neither marked any entity. Raises ValueError when the sentences do not line up.
    """
    _check_aligned(first, second)
    a = {(i, *span) for i, tags in enumerate(first) for span in spans(tags)}
    b = {(i, *span) for i, tags in enumerate(second) for span in spans(tags)}
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def _width(labels: Sequence[Label | None]) -> int:
    widths = {len(label) if isinstance(label, tuple | list) else 1 for label in labels
              if label is not None}  # fmt: skip
    if len(widths) > 1:
        raise ValueError(f"one item has labels of different lengths: {sorted(widths)}")
    return widths.pop() if widths else 1


def _check_aligned(first: Sequence[Label], second: Sequence[Label]) -> None:
    if len(first) != len(second):
        raise ValueError(f"{len(first)} items against {len(second)}")
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        if isinstance(a, tuple | list) and len(a) != len(b):
            raise ValueError(f"item {i}: {len(a)} words against {len(b)}")
