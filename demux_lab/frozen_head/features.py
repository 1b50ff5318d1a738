"""One pass of a (warm-started) encoder over a pool, kept as arrays for the frozen-encoder recipe.

The frozen-encoder recipe (:mod:`demux_core.head_rounds`) fine-tunes the encoder once, on the
labeled seed set, then freezes it: every later round only refits the linear task head on the
seed set plus the labels acquired so far. The encoder's outputs then never change, so each
pool is run through the encoder once (this module) and every round after that is numpy work.

For each example this keeps:

- ``embeddings`` (n, d): what the distance strategies compare; the same vectors
  :func:`demux_core.scoring.pool.score_pool` reports (sequence: ``<s>`` or mean of the last layer
  as ``ScoringConfig.embedding`` says; token: mean over the first sub-word of each word).
- ``head_inputs``: what the task head reads. Sequence/pair: one row per example, pooled as
  the model's ``pooling``. Token: one row per word (the last layer at the word's first
  sub-word), rows of example ``i`` at ``word_offsets[i]:word_offsets[i + 1]``; words cut by
  ``max_length`` get a zero row and ``word_valid`` False.

Only this module and the training modules touch torch; the arrays are plain float32.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from demux_core.config import ScoringConfig
from demux_core.data.examples import Example, TaskType, TokenExample
from demux_core.errors import DemuxError
from demux_core.models.features import encode_examples, pad_batch
from demux_core.models.task_model import TaskModel
from demux_core.runtime import configure_threads, pick_device

FROZEN_TASKS = (TaskType.TOKEN, TaskType.SEQUENCE, TaskType.PAIR)


class FrozenRecipeError(DemuxError, ValueError):
    """The frozen-encoder recipe cannot run on this input."""


@dataclass(frozen=True)
class FrozenFeatures:
    """Encoder outputs of one pool, in input order.

    Attributes
    ----------
    task : TaskType
    embeddings : np.ndarray, shape (n, d), float32
        Distance representation per example.
    head_inputs : np.ndarray, float32
        Sequence/pair: shape (n, d). Token: shape (total_words, d).
    word_offsets : np.ndarray, shape (n + 1,), int64
        Token tasks: example ``i`` owns rows ``word_offsets[i]:word_offsets[i + 1]`` of
        ``head_inputs``. Sequence/pair: ``arange(n + 1)``.
    word_valid : np.ndarray, shape (len(head_inputs),), bool
        False for words the encoder never saw (cut by ``max_length``).
    model_version : str
        Version of the encoder the features came from.
    """

    task: TaskType
    embeddings: np.ndarray
    head_inputs: np.ndarray
    word_offsets: np.ndarray
    word_valid: np.ndarray
    model_version: str

    def __len__(self) -> int:
        return int(self.embeddings.shape[0])

    def save(self, path: str | Path) -> Path:
        """Write the arrays to ``path`` (``.npz``) through a temporary file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".partial.npz")
        np.savez(
            scratch,
            task=np.array(self.task.value),
            embeddings=self.embeddings,
            head_inputs=self.head_inputs,
            word_offsets=self.word_offsets,
            word_valid=self.word_valid,
            model_version=np.array(self.model_version),
        )
        scratch.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> FrozenFeatures:
        with np.load(Path(path), allow_pickle=False) as data:
            return cls(
                task=TaskType(str(data["task"])),
                embeddings=data["embeddings"],
                head_inputs=data["head_inputs"],
                word_offsets=data["word_offsets"],
                word_valid=data["word_valid"],
                model_version=str(data["model_version"]),
            )


def features_key(model: TaskModel, examples: Sequence[Example], config: ScoringConfig) -> str:
    """A short digest of everything the features depend on (model, settings, examples)."""
    digest = hashlib.sha1(
        repr((model.model_version, model.pooling, config.max_length, config.embedding)).encode()
    )
    for example in examples:
        digest.update(repr(example).encode())
    return digest.hexdigest()[:16]


def extract_features(
    model: TaskModel,
    tokenizer,
    examples: Sequence[Example],
    config: ScoringConfig | None = None,
    *,
    progress: bool = True,
    cache_dir: str | Path | None = None,
) -> FrozenFeatures:
    """Run the encoder of ``model`` once over ``examples``.

    Parameters
    ----------
    model : TaskModel
        A token, sequence or pair model (QA rounds use the fine-tuning recipe).
    tokenizer : transformers fast tokenizer
    examples : sequence of Example
    config : ScoringConfig or None
        ``max_length``, ``batch_size``, ``embedding``, ``num_threads`` and ``device`` apply.
    progress : bool
        Show a tqdm bar.
    cache_dir : str, Path or None
        When given, features are read from / written to ``<cache_dir>/<key>.npz``.

    Returns
    -------
    FrozenFeatures
    """
    config = config or ScoringConfig()
    if model.task not in FROZEN_TASKS:
        raise FrozenRecipeError(
            f"the frozen-encoder recipe supports token, sequence and pair tasks, not {model.task}"
        )
    if not examples:
        raise FrozenRecipeError("cannot extract features of an empty pool")
    cache = Path(cache_dir) / f"{features_key(model, examples, config)}.npz" if cache_dir else None
    if cache is not None and cache.is_file():
        return FrozenFeatures.load(cache)
    features = _extract(model, tokenizer, examples, config, progress)
    if cache is not None:
        features.save(cache)
    return features


def _extract(model, tokenizer, examples, config, progress) -> FrozenFeatures:
    rows = encode_examples(tokenizer, examples, model.task, max_length=config.max_length)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].input_ids))
    if not config.sort_by_length:
        order = list(range(len(rows)))
    word_counts = [len(e.tokens) if isinstance(e, TokenExample) else 1 for e in examples]
    offsets = np.concatenate([[0], np.cumsum(word_counts)]).astype(np.int64)
    hidden_size = model.hidden_size
    embeddings = np.zeros((len(examples), hidden_size), dtype=np.float32)
    head_inputs = np.zeros((int(offsets[-1]), hidden_size), dtype=np.float32)
    valid = np.zeros(int(offsets[-1]), dtype=bool)
    device = pick_device(config.device)
    threads_before = torch.get_num_threads()
    configure_threads(config.num_threads)
    encoder = model.encoder.to(device)
    was_training = encoder.training
    encoder.eval()
    bar = tqdm(total=len(rows), desc="encoding", unit="ex", disable=not progress)
    try:
        with torch.inference_mode():
            for start in range(0, len(order), config.batch_size):
                batch = [rows[i] for i in order[start : start + config.batch_size]]
                ids, mask = pad_batch(batch, tokenizer.pad_token_id)
                ids_t = torch.from_numpy(ids).to(device)
                mask_t = torch.from_numpy(mask).to(device)
                hidden = encoder(input_ids=ids_t, attention_mask=mask_t).last_hidden_state
                hidden = hidden.float().cpu().numpy()
                _store(batch, hidden, mask, model, config, offsets, embeddings, head_inputs, valid)
                bar.update(len(batch))
    finally:
        bar.close()
        encoder.train(was_training)
        torch.set_num_threads(threads_before)
    return FrozenFeatures(model.task, embeddings, head_inputs, offsets, valid, model.model_version)


def _mean_over(hidden: np.ndarray, positions: Sequence[int]) -> np.ndarray:
    return hidden[list(positions)].mean(axis=0)


def _store(batch, hidden, mask, model, config, offsets, embeddings, head_inputs, valid) -> None:
    for row, feature in enumerate(batch):
        index = feature.example_index
        length = int(mask[row].sum())
        states = hidden[row, :length]
        if model.task is TaskType.TOKEN:
            positions = feature.word_positions or tuple(range(length))
            embeddings[index] = _mean_over(states, positions)
            words = offsets[index] + np.asarray(feature.word_indices, dtype=np.int64)
            head_inputs[words] = states[list(feature.word_positions)]
            valid[words] = True
        else:
            mean = states.mean(axis=0)
            embeddings[index] = states[0] if config.embedding == "cls" else mean
            head_inputs[index] = states[0] if model.pooling == "cls" else mean
            valid[index] = True
