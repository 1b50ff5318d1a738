"""Plain records the store returns, and the JSON forms of examples and labels.

Label forms (the same as each example's ``gold``):

- token task: tuple of tags, one per word (JSON list);
- sequence / pair task: one class name (JSON string);
- QA task: ``(answer_start, answer_text)`` (JSON ``{"answer_start", "answer_text"}``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from demux_core.data.examples import Example, QAExample, SequenceExample, TaskType, TokenExample

Label = tuple[str, ...] | str | tuple[int, str]


@dataclass(frozen=True)
class ProjectInfo:
    """A project's identity and settings (``settings`` is a plain JSON dict)."""

    name: str
    task: TaskType
    labels: tuple[str, ...]
    model_spec: str
    settings: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class StoredExample:
    """An example with its place in the store.

    ``key`` is the integer primary key used by annotations, selections and scores;
    ``position`` is its 0-based row within its pool (embedding row ``i`` = position ``i``).
    """

    key: int
    pool: str
    position: int
    example: Example


@dataclass(frozen=True)
class Round:
    """One selection / annotation / training / scoring cycle."""

    id: int
    number: int
    strategy: str
    config: dict[str, Any]
    status: str
    stage: str | None
    progress: float | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str | None
    timings: dict[str, float]
    model_version: str | None
    checkpoint_path: str | None
    metrics: dict[str, Any]
    error: str | None


@dataclass(frozen=True)
class Selection:
    """One chosen example of a round, in rank order (rank 0 = first to label)."""

    round_id: int
    rank: int
    example_key: int
    position: int
    uncertainty: float | None
    distance: float | None
    k: int | None


@dataclass(frozen=True)
class Annotation:
    """One saved annotation row; ``labels`` is ``None`` for skip / flag; ``active_seconds``
    the annotator's active time on it (``None`` when unknown); ``slot``: ``"first"``,
    ``"second"`` (an overlap item's second label) or ``"review"`` (a reviewer's decision)."""

    id: int
    example_key: int
    round_id: int | None
    annotator: str
    kind: str
    labels: Label | None
    created_at: str
    superseded_by: int | None
    undone_at: str | None
    active_seconds: float | None = None
    slot: str = "first"

    @property
    def is_active(self) -> bool:
        """Whether this row is the example's effective annotation."""
        return self.superseded_by is None and self.undone_at is None


def example_content(example: Example) -> dict[str, Any]:
    """The example's text fields as a JSON-ready dict (no id, language or gold)."""
    if isinstance(example, TokenExample):
        return {"tokens": list(example.tokens)}
    if isinstance(example, QAExample):
        return {"question": example.question, "context": example.context}
    return {"text": example.text, "text_pair": example.text_pair}


def label_to_json(label: Label | None) -> str | None:
    """Serialize a label (see module docstring) to JSON text; ``None`` stays ``None``."""
    if label is None:
        return None
    if isinstance(label, str):
        return json.dumps(label, ensure_ascii=False)
    if len(label) == 2 and isinstance(label[0], int) and not isinstance(label[0], bool):
        return json.dumps({"answer_start": label[0], "answer_text": label[1]}, ensure_ascii=False)
    return json.dumps(list(label), ensure_ascii=False)


def label_from_json(text: str | None) -> Label | None:
    """Inverse of :func:`label_to_json`."""
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, dict):
        return (int(value["answer_start"]), str(value["answer_text"]))
    if isinstance(value, list):
        return tuple(value)
    return value


def example_from_row(task: TaskType, row: dict[str, Any]) -> Example:
    """Rebuild the dataclass from an ``examples`` row."""
    content = json.loads(row["content"])
    gold = label_from_json(row["gold"])
    ident, language = row["external_id"], row["language"]
    if task == TaskType.TOKEN:
        return TokenExample(ident, language, tuple(content["tokens"]), gold)  # type: ignore[arg-type]
    if task == TaskType.QA:
        start, text = gold if gold is not None else (None, None)
        return QAExample(ident, language, content["question"], content["context"], start, text)
    return SequenceExample(ident, language, content["text"], content.get("text_pair"), gold)  # type: ignore[arg-type]


def with_label(example: Example, label: Label) -> Example:
    """A copy of ``example`` whose gold label is ``label``."""
    if isinstance(example, TokenExample):
        return dataclasses.replace(example, tags=tuple(label))
    if isinstance(example, QAExample):
        start, text = label  # type: ignore[misc]
        return dataclasses.replace(example, answer_start=int(start), answer_text=str(text))
    return dataclasses.replace(example, label=str(label))


def loads_dict(text: str | None) -> dict[str, Any]:
    """``json.loads`` for a column holding a JSON object (``None`` -> ``{}``)."""
    return json.loads(text) if text else {}


def dumps(value: Any) -> str:
    """Compact, Unicode-preserving JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
