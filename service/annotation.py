"""The annotation queue of a round: items in rank order, saving, skipping, flagging, undo.

Every write goes to the store at once (durable), so a reload, a second tab or a second
annotator sees the same queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from demux_core.data.examples import Example, QAExample, TaskType, TokenExample
from service.bio import OUTSIDE, is_bio_schema, repair_bio
from service.team.overlap import round_overlap
from storage import Annotation, ProjectStore, Round


@dataclass(frozen=True)
class AnnotationItem:
    """One selected source point of a round, with what the UI shows about it.

    Attributes
    ----------
    rank : int
        0-based rank in the round's selection (labelling order).
    example_key : int
    example : Example
        Gold labels are never shown to the annotator.
    uncertainty, distance : float or None
        From the selection (lower uncertainty = less sure model).
    suggestion : Any
        The model's prediction in label form (tags tuple, class name, QA answer) or None.
    annotation : Annotation or None
        The effective first annotation (label, skip or flag), if any.
    double : bool
        An overlap item: a second annotator labels it too (:mod:`service.team.overlap`).
    second : Annotation or None
        Its effective second annotation, if any.
    """

    rank: int
    example_key: int
    example: Example
    uncertainty: float | None
    distance: float | None
    suggestion: Any
    annotation: Annotation | None
    double: bool = False
    second: Annotation | None = None

    @property
    def handled(self) -> bool:
        return self.annotation is not None

    @property
    def awaits_second(self) -> bool:
        """An overlap item whose first label is in and whose second is not."""
        first = self.annotation
        return self.double and self.second is None and first is not None and first.kind == "label"

    def slot_for(self, annotator: str) -> str:
        """The slot a press of ``annotator`` fills: ``"second"`` on an overlap item someone
        else labeled first, else ``"first"`` (refused by the store when taken)."""
        first = self.annotation
        return "second" if self.awaits_second and first.annotator != annotator else "first"


def _suggestion(task: TaskType, example: Example, labels: Sequence[str], prediction: Any) -> Any:
    """Turn a stored prediction into a label the widgets can pre-fill (None when unusable)."""
    if task == TaskType.TOKEN:
        assert isinstance(example, TokenExample)
        n = len(example.tokens)
        if isinstance(prediction, list) and len(prediction) == n:
            tags = tuple(str(tag) for tag in prediction)
            return repair_bio(tags) if is_bio_schema(labels) else tags
        return (OUTSIDE,) * n if is_bio_schema(labels) else None
    if task == TaskType.QA:
        if isinstance(prediction, dict) and "answer_start" in prediction:
            return (int(prediction["answer_start"]), str(prediction.get("answer_text", "")))
        return None
    return prediction if isinstance(prediction, str) and prediction in labels else None


def _predictions(store: ProjectStore, model_version: str | None) -> list[Any] | None:
    if model_version is None:
        return None
    try:
        _, predictions, _ = store.load_scores(model_version, "source")
    except Exception:  # noqa: BLE001 - no scores stored for it: no suggestions
        return None
    return predictions


def round_items(store: ProjectStore, round_id: int) -> list[AnnotationItem]:
    """The selected points of a round, in rank order, with suggestions and annotations."""
    info = store.info()
    current = store.get_round(round_id)
    selections = store.selections(round_id)
    stored = store.get_examples([selection.example_key for selection in selections])
    annotations = store.slot_annotations("source")
    predictions = _predictions(store, current.model_version)
    double = round_overlap(current.config, current.number,
                           [selection.example_key for selection in selections])  # fmt: skip
    items = []
    for selection, example in zip(selections, stored, strict=True):
        prediction = predictions[selection.position] if predictions is not None else None
        items.append(
            AnnotationItem(
                rank=selection.rank,
                example_key=selection.example_key,
                example=example.example,
                uncertainty=selection.uncertainty,
                distance=selection.distance,
                suggestion=_suggestion(info.task, example.example, info.labels, prediction),
                annotation=annotations.get(selection.example_key, {}).get("first"),
                double=selection.example_key in double,
                second=annotations.get(selection.example_key, {}).get("second"),
            )
        )
    return items


def next_unhandled(items: Sequence[AnnotationItem]) -> AnnotationItem | None:
    """The first item (by rank) with no annotation, or ``None`` when all are handled."""
    return next((item for item in items if not item.handled), None)


@dataclass(frozen=True)
class RoundProgress:
    """Counts of a round's items by what happened to them (``seconds``: overlap items with
    their second annotation, out of ``seconds_needed``, those whose first is a label)."""

    labeled: int
    skipped: int
    flagged: int
    total: int
    seconds: int = 0
    seconds_needed: int = 0

    @property
    def handled(self) -> int:
        return self.labeled + self.skipped + self.flagged

    @property
    def unhandled(self) -> int:
        return self.total - self.handled

    @property
    def summary(self) -> str:
        """The counts in words (second labels only when the round has overlap)."""
        text = (f"{self.labeled} of {self.total} labeled this round "
                f"({self.skipped} skipped, {self.flagged} flagged)")  # fmt: skip
        if self.seconds_needed:
            text += f"; second labels: {self.seconds} of {self.seconds_needed}"
        return text

    @property
    def complete(self) -> bool:
        """Every item handled, and every overlap label given its second annotation."""
        return self.handled == self.total and self.seconds == self.seconds_needed


# The model's guesses are shown pre-filled only once its test score reaches this (accuracy,
# F1...): below it most guesses are wrong and a pre-filled answer invites accepting them.
SUGGESTION_MIN_SCORE = 0.8


@dataclass(frozen=True)
class SuggestionAdvice:
    """Whether the Annotate page shows the model's guesses by default, and why (in words)."""

    show: bool
    reason: str


def suggestion_advice(current: Round) -> SuggestionAdvice:
    """From the test score of the model that made the round's picks (stored with the round)."""
    metrics = current.metrics or {}
    score, name = metrics.get("test_metric"), metrics.get("metric_name", "score")
    if score is None:
        return SuggestionAdvice(False, "Model guesses are hidden: no test set measures this "
                                       "round's model, so nobody knows how often it is right.")  # fmt: skip
    measured = f"the model's test {name} is {100 * float(score):.0f} %"
    if float(score) >= SUGGESTION_MIN_SCORE:
        return SuggestionAdvice(True, f"Model guesses are shown (dashed): {measured}; check "
                                      "each before you accept it.")  # fmt: skip
    return SuggestionAdvice(False, f"Model guesses are hidden: {measured}, below "
                                   f"{100 * SUGGESTION_MIN_SCORE:.0f} %, so most would be "
                                   "wrong.")  # fmt: skip


def round_progress(items: Sequence[AnnotationItem]) -> RoundProgress:
    """How many of a round's items are labelled, skipped, flagged, out of all."""
    kinds = [item.annotation.kind for item in items if item.annotation is not None]
    needed = [item for item in items if item.double and item.annotation is not None
              and item.annotation.kind == "label"]  # fmt: skip
    return RoundProgress(kinds.count("label"), kinds.count("skip"), kinds.count("flag"),
                         len(items), sum(item.second is not None for item in needed),
                         len(needed))  # fmt: skip


def stored_label(store: ProjectStore, example: Example, label: Any) -> Any:
    """A label in the form the store keeps: BIO tags repaired into a tuple (token task), an
    ``(answer_start, answer_text)`` pair (QA), a class name as it is."""
    if isinstance(example, TokenExample):
        tags = tuple(str(tag) for tag in label)
        return repair_bio(tags) if is_bio_schema(store.info().labels) else tags
    if isinstance(example, QAExample):
        return (int(label[0]), str(label[1]))
    return label


def save_label(
    store: ProjectStore,
    round_id: int,
    item: AnnotationItem,
    label: Any,
    annotator: str,
    session: str | None = None,
    active_seconds: float | None = None,
) -> Annotation:
    """Save the annotator's label (BIO tags repaired first); raises on a label that does not fit.

    ``label`` is a tag sequence (token task), a class name (sequence / pair) or
    ``(answer_start, answer_text)`` (QA; :data:`service.typed_labels.NO_ANSWER` for no answer). With ``session``
    (the Annotate page's), the save is refused with :class:`storage.ItemTakenError` when
    the item was handled meanwhile or another session shows it. ``active_seconds``: the
    annotator's active time on the item, kept with the row. The label fills
    :meth:`AnnotationItem.slot_for` (an overlap item's second label, or its first).
    """
    return store.save_annotation(
        item.example_key,
        stored_label(store, item.example, label),
        annotator=annotator,
        round_id=round_id,
        session=session,
        only_if_unhandled=session is not None,
        active_seconds=active_seconds,
        slot=item.slot_for(annotator),
    )


def mark(
    store: ProjectStore,
    round_id: int,
    item: AnnotationItem,
    kind: str,
    annotator: str,
    session: str | None = None,
    active_seconds: float | None = None,
) -> Annotation:
    """Skip (``kind="skip"``) or flag (``kind="flag"``) an item (``session`` and
    ``active_seconds``: as in :func:`save_label`)."""
    if kind not in ("skip", "flag"):
        raise ValueError(f"kind must be 'skip' or 'flag', got {kind!r}")
    return store.save_annotation(
        item.example_key,
        None,
        annotator=annotator,
        kind=kind,
        round_id=round_id,
        session=session,
        only_if_unhandled=session is not None,
        active_seconds=active_seconds,
        slot=item.slot_for(annotator),
    )


def undo_last(store: ProjectStore, annotator: str) -> Annotation | None:
    """Undo this annotator's newest label, skip or flag (a first or second annotation, not a
    review decision); returns it (``None`` if nothing to undo)."""
    return store.undo_last_annotation(annotator, slots=("first", "second"))
