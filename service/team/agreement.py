"""The Agreement view's numbers: how often two annotators of one overlap item agree.

Read from the items with two effective annotations (:mod:`service.team.overlap`); the
measures are :mod:`demux_core.agreement`'s. Kappa and alpha use the items where both gave a
label (token tasks: word by word); the disagreements list also shows a label against a skip
or a flag.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from demux_core.agreement import alpha, kappa_interval, pair_kappa, span_f1
from demux_core.data.examples import Example, QAExample, TokenExample
from demux_core.rounds.stability import cohen_kappa
from service.presses import example_excerpt
from service.team.review import label_text
from storage import Annotation, ProjectStore
from storage.resolution import disagree

PAIR_COLUMNS = ["annotators", "items", "same label", "kappa", "kappa 95 %", "span F1"]
LABEL_COLUMNS = ["label", "items", "kappa", "span F1"]
DISAGREEMENT_COLUMNS = ["sentence", "first", "first label", "second", "second label", "decision"]


@dataclass(frozen=True)
class AgreementReport:
    """Agreement over a project's overlap items.

    Attributes
    ----------
    items : int
        Items both annotators labeled.
    alpha : float
        Krippendorff's alpha (nominal) over every annotator; NaN when undefined.
    pairs : pandas.DataFrame
        :data:`PAIR_COLUMNS`, one row per annotator pair: Cohen's kappa with its bootstrap
        95 % interval over the items (text, "low to high": a few doubled items measure
        kappa loosely), and entity-span F1 (token tasks only).
    by_label : pandas.DataFrame
        :data:`LABEL_COLUMNS` less the measure that does not apply, one row per label either
        annotator used: one-label-against-the-rest ``kappa`` (classes), or ``span F1`` on
        that entity type (token tasks).
    disagreements : pandas.DataFrame
        :data:`DISAGREEMENT_COLUMNS`, one row per overlap item whose annotations differ
        (plain text).
    """

    items: int
    alpha: float
    pairs: pd.DataFrame
    by_label: pd.DataFrame
    disagreements: pd.DataFrame


def _comparable(example: Example, label: Any) -> Any:
    """A label as the measures compare it: a tag tuple, or one string per item."""
    if isinstance(example, TokenExample):
        return tuple(label)
    if isinstance(example, QAExample):
        return f"{label[0]}:{label[1]}"
    return str(label)


def agreement_report(store: ProjectStore) -> AgreementReport:
    """Agreement of every overlap item of the project's source pool (see the class)."""
    doubled = {key: slots for key, slots in store.slot_annotations("source").items()
               if "first" in slots and "second" in slots}  # fmt: skip
    examples = dict(
        zip(doubled, (s.example for s in store.get_examples(list(doubled))), strict=True)
    )
    both = {key: slots for key, slots in doubled.items()
            if slots["first"].kind == slots["second"].kind == "label"}  # fmt: skip
    token = any(isinstance(example, TokenExample) for example in examples.values())
    by_pair: dict[tuple[str, str], list[tuple[Any, Any]]] = defaultdict(list)
    for key, slots in both.items():
        first, second = slots["first"], slots["second"]
        pair = [(first.annotator, _comparable(examples[key], first.labels)),
                (second.annotator, _comparable(examples[key], second.labels))]  # fmt: skip
        pair.sort(key=lambda entry: entry[0])
        by_pair[(pair[0][0], pair[1][0])].append((pair[0][1], pair[1][1]))
    pairs = pd.DataFrame([_pair_row(names, labels, token) for names, labels in sorted(by_pair.items())],
                         columns=PAIR_COLUMNS)  # fmt: skip
    if not token:
        pairs = pairs.drop(columns="span F1")
    all_pairs = [labels for labels_of_pair in by_pair.values() for labels in labels_of_pair]
    return AgreementReport(len(both), _alpha(both, examples), pairs, _by_label(all_pairs, token),
                           _disagreements(doubled, examples))  # fmt: skip


def _pair_row(names: tuple[str, str], labels: list[tuple[Any, Any]], token: bool) -> dict:
    first, second = [a for a, _ in labels], [b for _, b in labels]
    low, high = kappa_interval(first, second)
    return {"annotators": f"{names[0]} & {names[1]}", "items": len(labels),
            "same label": sum(a == b for a, b in labels), "kappa": pair_kappa(first, second),
            "kappa 95 %": f"{low:.2f} to {high:.2f}",
            "span F1": span_f1(first, second) if token else math.nan}  # fmt: skip


def _alpha(both: dict[int, dict[str, Annotation]], examples: dict[int, Example]) -> float:
    annotators = sorted({a.annotator for slots in both.values() for a in slots.values()})
    if len(annotators) < 2:
        return math.nan
    ratings = [[None] * len(both) for _ in annotators]
    for column, (key, slots) in enumerate(both.items()):
        for slot in ("first", "second"):
            annotation = slots[slot]
            row = annotators.index(annotation.annotator)
            ratings[row][column] = _comparable(examples[key], annotation.labels)
    return alpha(ratings)


def _by_label(labels: list[tuple[Any, Any]], token: bool) -> pd.DataFrame:
    """Per label: one-against-the-rest kappa (classes), or span F1 on one entity type."""
    rows = []
    if token:
        types = sorted({tag[2:] for a, b in labels for tag in (*a, *b) if tag[:2] in ("B-", "I-")})
        for kind in types:
            keep = [(_only(a, kind), _only(b, kind)) for a, b in labels]
            used = sum(any(t != "O" for t in (*a, *b)) for a, b in keep)
            rows.append({"label": kind, "items": used, "kappa": math.nan,
                         "span F1": span_f1([a for a, _ in keep], [b for _, b in keep])})  # fmt: skip
    else:
        for name in sorted({value for pair in labels for value in pair}):
            first = [str(a == name) for a, _ in labels]
            second = [str(b == name) for _, b in labels]
            used = sum(a == name or b == name for a, b in labels)
            rows.append({"label": name, "items": used, "kappa": cohen_kappa(first, second),
                         "span F1": math.nan})  # fmt: skip
    return pd.DataFrame(rows, columns=LABEL_COLUMNS).drop(columns="kappa" if token else "span F1")


def _only(tags: tuple[str, ...], kind: str) -> tuple[str, ...]:
    return tuple(tag if tag[2:] == kind else "O" for tag in tags)


def _disagreements(
    doubled: dict[int, dict[str, Annotation]], examples: dict[int, Example]
) -> pd.DataFrame:
    rows = []
    for key, slots in doubled.items():
        first, second = slots["first"], slots["second"]
        if not disagree(first, second):
            continue
        example, review = examples[key], slots.get("review")
        rows.append({"sentence": example_excerpt(example), "first": first.annotator,
                     "first label": label_text(example, first), "second": second.annotator,
                     "second label": label_text(example, second),
                     "decision": "waiting for review" if review is None else
                     f"{label_text(example, review)} ({review.annotator})"})  # fmt: skip
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
