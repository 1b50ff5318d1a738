"""Turn examples into model inputs (sub-word ids plus the bookkeeping to map back).

Shared by scoring and training; torch-free (ids are plain lists, padding gives numpy).

Conventions
-----------
- Token tasks: a word's label and prediction live on its FIRST sub-word. Words with no
  sub-word in the input (cut by ``max_length`` or dropped by the tokenizer) are
  "unscored": training ignores them, scoring predicts the fallback tag for them and
  leaves them out of the margin aggregation.
- QA: question + context windows (``truncation="only_second"`` with a stride); the
  question is first cut to ``max_length // 4`` sub-words so that every window keeps room
  for context. A window that does not contain the whole answer is labeled (0, 0) = ``<s>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from demux_core.data.examples import Example, QAExample, TaskType, TokenExample
from demux_core.errors import DemuxError

IGNORE_INDEX = -100
ENCODE_CHUNK = 512
NOT_CONTEXT = (-1, -1)


class LabelError(DemuxError, ValueError):
    """An example's gold label is missing, malformed or unknown to the model."""


@dataclass(frozen=True)
class Feature:
    """One model input row.

    Attributes
    ----------
    example_index : int
        Index of the example it came from (QA: several windows share one).
    input_ids : tuple of int
        Sub-word ids including special tokens, unpadded.
    word_positions : tuple of int
        Token tasks: position of the first sub-word of each scored word; else empty.
    word_indices : tuple of int
        Token tasks: the word index each entry of ``word_positions`` belongs to.
    offsets : tuple of (int, int)
        QA: character span in the context per position, ``(-1, -1)`` outside the context.
    target : tuple of int or None
        Training target: token -> label id per position (``-100`` = ignored);
        sequence/pair -> ``(label_id,)``; QA -> ``(start_position, end_position)``.
    """

    example_index: int
    input_ids: tuple[int, ...]
    word_positions: tuple[int, ...] = ()
    word_indices: tuple[int, ...] = ()
    offsets: tuple[tuple[int, int], ...] = ()
    target: tuple[int, ...] | None = None


def encode_examples(
    tokenizer,
    examples: Sequence[Example],
    task: TaskType,
    *,
    max_length: int,
    qa_stride: int = 64,
    label_to_id: Mapping[str, int] | None = None,
) -> list[Feature]:
    """Tokenize examples of one task family.

    Parameters
    ----------
    tokenizer : transformers fast tokenizer
    examples : sequence of Example
        All of the family ``task``.
    task : TaskType
    max_length : int
        Sub-word cap per row (QA: window length).
    qa_stride : int
        Sub-words shared by consecutive QA windows.
    label_to_id : mapping or None
        When given, gold labels become ``Feature.target`` (raises :class:`LabelError` on
        a missing or unknown label); ``None`` for unlabeled scoring.

    Returns
    -------
    list of Feature
        In example order (QA windows of one example are consecutive).
    """
    encoder = {
        TaskType.TOKEN: _encode_token_chunk,
        TaskType.SEQUENCE: _encode_sequence_chunk,
        TaskType.PAIR: _encode_sequence_chunk,
        TaskType.QA: _encode_qa_chunk,
    }[TaskType(task)]
    features: list[Feature] = []
    for start in range(0, len(examples), ENCODE_CHUNK):
        chunk = examples[start : start + ENCODE_CHUNK]
        features.extend(
            encoder(tokenizer, chunk, start, max_length, qa_stride, label_to_id)  # type: ignore[arg-type]
        )
    return features


def pad_batch(features: Sequence[Feature], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad a batch of features.

    Returns
    -------
    input_ids : np.ndarray, shape (b, L), int64
    attention_mask : np.ndarray, shape (b, L), int64
    """
    length = max(len(f.input_ids) for f in features)
    ids = np.full((len(features), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(features), length), dtype=np.int64)
    for row, feature in enumerate(features):
        ids[row, : len(feature.input_ids)] = feature.input_ids
        mask[row, : len(feature.input_ids)] = 1
    return ids, mask


def _label_id(
    label_to_id: Mapping[str, int], label: str | None, example_id: str, field: str
) -> int:
    if label is None:
        raise LabelError(f"example {example_id!r}: {field} is missing (unlabeled example)")
    if label not in label_to_id:
        known = ", ".join(label_to_id)
        raise LabelError(
            f"example {example_id!r}: {field} {label!r} is not a model label ({known})"
        )
    return label_to_id[label]


def _first_subwords(word_ids: Sequence[int | None]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    positions, words, seen = [], [], set()
    for position, word in enumerate(word_ids):
        if word is not None and word not in seen:
            seen.add(word)
            positions.append(position)
            words.append(word)
    return tuple(positions), tuple(words)


def _token_target(
    example: TokenExample, length: int, positions, words, label_to_id: Mapping[str, int]
) -> tuple[int, ...]:
    if example.tags is None or len(example.tags) != len(example.tokens):
        got = "none" if example.tags is None else f"{len(example.tags)}"
        raise LabelError(
            f"example {example.id!r}: tags has {got} entries for {len(example.tokens)} tokens"
        )
    target = [IGNORE_INDEX] * length
    for position, word in zip(positions, words, strict=True):
        target[position] = _label_id(label_to_id, example.tags[word], example.id, f"tags[{word}]")
    return tuple(target)


def _encode_token_chunk(tokenizer, chunk, offset, max_length, _stride, label_to_id):
    encoded = tokenizer(
        [list(example.tokens) for example in chunk],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
    )
    features = []
    for row, example in enumerate(chunk):
        ids = tuple(encoded["input_ids"][row])
        positions, words = _first_subwords(encoded.word_ids(row))
        target = None
        if label_to_id is not None:
            target = _token_target(example, len(ids), positions, words, label_to_id)
        features.append(Feature(offset + row, ids, positions, words, (), target))
    return features


def _encode_sequence_chunk(tokenizer, chunk, offset, max_length, _stride, label_to_id):
    pairs = [example.text_pair for example in chunk]
    if any(pair is None for pair in pairs) and any(pair is not None for pair in pairs):
        raise LabelError("a pool mixes single sentences and sentence pairs; use one task family")
    encoded = tokenizer(
        [example.text for example in chunk],
        pairs if pairs and pairs[0] is not None else None,
        truncation=True,
        max_length=max_length,
    )
    features = []
    for row, example in enumerate(chunk):
        target = None
        if label_to_id is not None:
            target = (_label_id(label_to_id, example.label, example.id, "label"),)
        features.append(Feature(offset + row, tuple(encoded["input_ids"][row]), target=target))
    return features


def _cut_questions(tokenizer, chunk: Sequence[QAExample], max_tokens: int) -> list[str]:
    encoded = tokenizer(
        [example.question for example in chunk],
        add_special_tokens=False,
        return_offsets_mapping=True,
    )
    questions = []
    for row, example in enumerate(chunk):
        spans = encoded["offset_mapping"][row]
        cut = spans[max_tokens - 1][1] if len(spans) > max_tokens else len(example.question)
        questions.append(example.question[:cut])
    return questions


def _qa_target(example: QAExample, offsets: Sequence[tuple[int, int]]) -> tuple[int, int]:
    if example.answer_text is None or example.answer_start is None:
        raise LabelError(f"example {example.id!r}: answer is missing (unlabeled example)")
    if example.answer_text == "" or example.answer_start < 0:
        return (0, 0)
    answer_end = example.answer_start + len(example.answer_text)
    if example.context[example.answer_start : answer_end] != example.answer_text:
        raise LabelError(
            f"example {example.id!r}: answer_text does not match context at answer_start="
            f"{example.answer_start}"
        )
    inside = [p for p, (s, e) in enumerate(offsets) if (s, e) != NOT_CONTEXT and e > s]
    if not inside or offsets[inside[0]][0] > example.answer_start:
        return (0, 0)
    if offsets[inside[-1]][1] < answer_end:
        return (0, 0)
    start = max(p for p in inside if offsets[p][0] <= example.answer_start)
    end = min(p for p in inside if offsets[p][1] >= answer_end)
    return (start, end)


def _encode_qa_chunk(tokenizer, chunk, offset, max_length, stride, label_to_id):
    question_cap = max(1, max_length // 4)
    room = max_length - question_cap - tokenizer.num_special_tokens_to_add(pair=True)
    if room < 2:
        raise ValueError(f"qa max_length={max_length} leaves no room for the context")
    encoded = tokenizer(
        _cut_questions(tokenizer, chunk, question_cap),
        [example.context for example in chunk],
        truncation="only_second",
        max_length=max_length,
        stride=min(stride, room - 1),
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    features = []
    for window, row in enumerate(encoded["overflow_to_sample_mapping"]):
        sequence_ids = encoded.sequence_ids(window)
        offsets = tuple(
            tuple(span) if part == 1 else NOT_CONTEXT
            for span, part in zip(encoded["offset_mapping"][window], sequence_ids, strict=True)
        )
        target = _qa_target(chunk[row], offsets) if label_to_id is not None else None
        ids = tuple(encoded["input_ids"][window])
        features.append(Feature(offset + row, ids, offsets=offsets, target=target))
    return features
