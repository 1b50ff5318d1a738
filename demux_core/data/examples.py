"""The in-memory representation every reader produces and every other module consumes.

One small frozen dataclass per example. Gold labels are optional: a source or target pool
read from an unlabeled file has ``None`` there; a labeled file keeps its gold label so
that simulations can reveal it (the app never shows it to an annotator).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TaskType(StrEnum):
    """The four task families DeMuX supports."""

    TOKEN = "token"  # NER, POS: one tag per word
    SEQUENCE = "sequence"  # one sentence, one class
    PAIR = "pair"  # two sentences (e.g. NLI), one class
    QA = "qa"  # extractive QA: question + context, answer span


@dataclass(frozen=True)
class TokenExample:
    """A sentence as words, with one tag per word where the file had them.

    Attributes
    ----------
    id : str
        Unique within its pool.
    language : str
        Language code (ISO 639-3 or Flores code, as given by the data).
    tokens : tuple of str
        The words.
    tags : tuple of str or None
        Gold tag per word (BIO for NER, UPOS for POS); ``None`` when unlabeled.
    """

    id: str
    language: str
    tokens: tuple[str, ...]
    tags: tuple[str, ...] | None = None

    @property
    def gold(self) -> tuple[str, ...] | None:
        return self.tags


@dataclass(frozen=True)
class SequenceExample:
    """A sentence (or sentence pair) with one class label where the file had one.

    ``text_pair`` is set for pair tasks such as NLI (premise = ``text``,
    hypothesis = ``text_pair``).
    """

    id: str
    language: str
    text: str
    text_pair: str | None = None
    label: str | None = None

    @property
    def gold(self) -> str | None:
        return self.label


@dataclass(frozen=True)
class QAExample:
    """Extractive QA (TyDiQA-GoldP style).

    ``answer_start`` is a character offset into ``context``; ``answer_text`` the span.
    An unanswerable question has ``answer_text == ""`` and ``answer_start == -1``;
    ``None`` in both means unlabeled.
    """

    id: str
    language: str
    question: str
    context: str
    answer_start: int | None = None
    answer_text: str | None = None

    @property
    def gold(self) -> tuple[int, str] | None:
        if self.answer_text is None or self.answer_start is None:
            return None
        return (self.answer_start, self.answer_text)


Example = TokenExample | SequenceExample | QAExample


def task_of(example: Example) -> TaskType:
    """The task family an example belongs to."""
    if isinstance(example, TokenExample):
        return TaskType.TOKEN
    if isinstance(example, QAExample):
        return TaskType.QA
    return TaskType.PAIR if example.text_pair is not None else TaskType.SEQUENCE
