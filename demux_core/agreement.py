"""Agreement between annotators who labeled the same items.

Pure functions over labels (no storage): the app's Agreement view calls them per label
schema and per annotator pair (:mod:`service.team.agreement`).

- :func:`pair_kappa`: Cohen's kappa of two annotators over the items both labeled (token
  tasks: word by word). 1 = perfect agreement, 0 = what chance gives, < 0 = worse.
- :func:`alpha`: Krippendorff's alpha (nominal) over any number of annotators, items with
  missing ratings allowed (the ``krippendorff`` package). Same scale as kappa.
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
