"""Checks that examples and labels fit a project's task and label schema.

Each check returns a sentence describing the problem, or ``None`` when all is well,
so that callers can attach the place (file and line, example id) to the message.
"""

from __future__ import annotations

from demux_core.data.examples import Example, QAExample, TaskType, TokenExample, task_of
from storage.records import Label


def example_problem(task: TaskType, labels: tuple[str, ...], example: Example) -> str | None:
    """What is wrong with storing ``example`` in a project of ``task`` / ``labels``."""
    actual = task_of(example)
    if actual != task:
        return (
            f"example {example.id!r} is a {actual.value} example, the project task is {task.value}"
        )
    if not example.id:
        return "an example has an empty id"
    if isinstance(example, TokenExample):
        if not example.tokens:
            return f"example {example.id!r} has no tokens"
        if example.tags is not None and len(example.tags) != len(example.tokens):
            return (
                f"example {example.id!r} has {len(example.tokens)} tokens "
                f"but {len(example.tags)} tags"
            )
    gold = example.gold
    return None if gold is None else label_problem(task, labels, example, gold)


def tag_known(tag: str, known: set[str]) -> bool:
    """Whether a token tag fits the schema: listed itself, ``O``, or its entity type listed.

    The schema of a token task may list full tags (``B-PER``) or entity types (``PER``),
    as ``demux_core.data.readers.read_examples`` accepts both.
    """
    if tag in known or tag == "O":
        return True
    prefix, _, entity = tag.partition("-")
    return bool(entity) and prefix in {"B", "I", "E", "S", "L", "U"} and entity in known


def label_problem(
    task: TaskType, labels: tuple[str, ...], example: Example, label: Label
) -> str | None:
    """What is wrong with ``label`` as the annotation of ``example``."""
    known = set(labels)
    if task == TaskType.TOKEN:
        assert isinstance(example, TokenExample)
        if isinstance(label, str) or len(label) != len(example.tokens):
            return f"example {example.id!r} needs one tag per token ({len(example.tokens)})"
        unknown = sorted({tag for tag in label if known and not tag_known(tag, known)})  # type: ignore[misc]
        if unknown:
            return f"example {example.id!r} has tags not in the label schema: {unknown}"
        return None
    if task == TaskType.QA:
        assert isinstance(example, QAExample)
        if isinstance(label, str) or len(label) != 2 or not isinstance(label[0], int):
            return f"example {example.id!r} needs (answer_start, answer_text)"
        start, text = label
        if text == "" and start == -1:
            return None
        if example.context[start : start + len(text)] != text:  # type: ignore[index, arg-type]
            return (
                f"example {example.id!r}: answer {text!r} is not at offset {start} of the context"
            )
        return None
    if not isinstance(label, str):
        return f"example {example.id!r} needs one class name, got {label!r}"
    if known and label not in known:
        return (
            f"example {example.id!r} has label {label!r}, not in the label schema {sorted(known)}"
        )
    return None
