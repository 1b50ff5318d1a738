"""The outputs of an encoder's frozen bottom layers, kept per sentence across rounds.

After the warm start a round with ``TrainingConfig.frozen_layers`` never changes the word
embeddings and the bottom ``n`` layers, so their output for a sentence is the same in every
later round: training, evaluation and scoring fetch it from here and run only the top
layers and the head (:func:`demux_core.models.layers.top`).

An entry is keyed by the sentence's token ids under a digest of the bottom weights, ``n``
and the precision, so a cache can never serve states of other weights: a model whose
bottom changed (a new warm start, another model) simply misses and starts a new
generation, and the older generations are deleted when it first writes.

With a folder the entries survive the process (the app's rounds each run afresh): each
:meth:`LowerLayerCache.flush` writes one part, ``part-<k>.npy`` (all its rows' states
stacked, float32) and then ``part-<k>.json`` (key -> offset, length), both atomically; a part
without its JSON (a kill between the two writes) is ignored. Without a folder the cache
lives in memory (the CLI's simulations keep one for all their rounds).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from demux_core.index.files import read_json, save_array, write_json
from demux_core.models.layers import bottom, encoder_layers
from demux_core.models.task_model import TaskModel
from demux_core.precision import autocast

DEFAULT_MAX_BYTES = 2 << 30
BOTTOM_BATCH = 32


def row_key(input_ids: Sequence[int]) -> str:
    """A sentence's cache key: a digest of its token ids."""
    ids = np.asarray(input_ids, dtype=np.int64)
    return hashlib.blake2b(ids.tobytes(), digest_size=16).hexdigest()


class LowerLayerCache:
    """Bottom-layer outputs by weights and sentence (see the module docstring).

    Parameters
    ----------
    folder : Path or None
        Where the entries are kept (a project keeps them in ``artifacts/lower-layers``);
        None keeps them in memory only.
    max_bytes : int
        No new entries once the kept states reach this size (the older ones stay usable).
    """

    def __init__(self, folder: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = None if folder is None else Path(folder)
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._generation: str | None = None
        self._kept: dict[str, np.ndarray] = {}  # key -> (length, d) float32, perhaps memmapped
        self._pending: dict[str, np.ndarray] = {}
        self._bytes = 0
        self._digests: dict[tuple, str] = {}
        self._digested: list[torch.nn.Parameter] = []  # held so their ids stay theirs

    def states(
        self, model: TaskModel, features, pad_id: int, n: int, device, precision: str
    ) -> list[torch.Tensor]:
        """Each feature's (length, d) float32 output of ``model``'s bottom ``n`` layers.

        Parameters
        ----------
        model : TaskModel
        features : sequence of Feature -- each with ``input_ids``
        pad_id : int
        n : int -- bottom layers, 1..layers
        device : torch.device
        precision : str -- as ``ScoringConfig.precision`` (bf16 states differ from fp32)
        """
        self._use(self._weights_digest(model, n, precision))
        keys = [row_key(feature.input_ids) for feature in features]
        found: dict[str, np.ndarray] = {}
        missing, wanted = [], set()
        for index, key in enumerate(keys):
            states = self._pending.get(key)
            states = self._kept.get(key) if states is None else states
            if states is not None:
                found[key] = states
            elif key not in wanted:
                missing.append(index)
                wanted.add(key)
        self.hits += len(features) - len(missing)
        self.misses += len(missing)
        for index, states in _compute(model, features, missing, pad_id, n, device, precision):
            found[keys[index]] = states
            if self._bytes + states.nbytes <= self.max_bytes:
                self._pending[keys[index]] = states
                self._bytes += states.nbytes
        return [torch.from_numpy(np.array(found[key], dtype=np.float32)) for key in keys]

    def flush(self) -> None:
        """Write the entries added since the last flush as one part (no-op in memory)."""
        if not self._pending:
            return
        if self.folder is None or self._generation is None:
            self._kept.update(self._pending)
            self._pending = {}
            return
        folder = self.folder / self._generation
        number = len(list(folder.glob("part-*.json")))
        while (folder / f"part-{number}.json").exists() or (folder / f"part-{number}.npy").exists():
            number += 1
        offsets, start = {}, 0
        for key, states in self._pending.items():
            offsets[key] = [start, int(states.shape[0])]
            start += int(states.shape[0])
        save_array(folder / f"part-{number}.npy", np.concatenate(list(self._pending.values())))
        write_json(folder / f"part-{number}.json", offsets)
        self._kept.update(self._pending)
        self._pending = {}

    def _use(self, generation: str) -> None:
        if generation == self._generation:
            return
        self.flush()
        self._generation, self._kept, self._pending, self._bytes = generation, {}, {}, 0
        if self.folder is None:
            return
        if self.folder.is_dir():
            for other in self.folder.iterdir():
                if other.is_dir() and other.name != generation:
                    shutil.rmtree(other, ignore_errors=True)
        for index_file in sorted((self.folder / generation).glob("part-*.json")):
            offsets = read_json(index_file)
            array_file = index_file.with_suffix(".npy")
            if not isinstance(offsets, dict) or not array_file.is_file():
                continue
            stacked = np.load(array_file, mmap_mode="r")
            for key, (start, length) in offsets.items():
                self._kept[key] = stacked[start : start + length]
            self._bytes += stacked.nbytes

    def _weights_digest(self, model: TaskModel, n: int, precision: str) -> str:
        parameters = list(model.encoder.embeddings.parameters())
        for layer in encoder_layers(model)[:n]:
            parameters.extend(layer.parameters())
        # torch bumps a tensor's _version on every in-place change (optimiser steps, loads)
        state = (n, precision, *((id(p), p._version, p.data_ptr()) for p in parameters))
        if state not in self._digests:
            digest = hashlib.blake2b(f"{n}|{precision}".encode(), digest_size=16)
            for parameter in parameters:
                data = parameter.detach().cpu().contiguous()
                digest.update(str(data.dtype).encode())
                digest.update(data.view(torch.uint8).numpy().tobytes())
            self._digests, self._digested = {state: digest.hexdigest()}, parameters
        return self._digests[state]


def _compute(model: TaskModel, features, rows: list[int], pad_id: int, n: int, device,
             precision: str):  # fmt: skip
    """(row, (length, d) float32 states) for ``rows`` of ``features``, batched by length."""
    from demux_core.models.features import pad_batch

    order = sorted(rows, key=lambda i: len(features[i].input_ids))
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), autocast(precision, device.type):
            for start in range(0, len(order), BOTTOM_BATCH):
                batch = order[start : start + BOTTOM_BATCH]
                ids, mask = (
                    torch.from_numpy(a).to(device)
                    for a in pad_batch([features[i] for i in batch], pad_id)
                )
                hidden = bottom(model, ids, mask, n).float().cpu().numpy()
                for row, index in enumerate(batch):
                    yield index, hidden[row, : len(features[index].input_ids)].copy()
    finally:
        model.train(was_training)


def pad_states(states: Sequence[torch.Tensor], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Cached states of one batch as padded hidden (b, L, d) float32 and mask (b, L) int64."""
    longest = max(s.shape[0] for s in states)
    hidden = torch.zeros(len(states), longest, states[0].shape[1])
    mask = torch.zeros(len(states), longest, dtype=torch.long)
    for row, s in enumerate(states):
        hidden[row, : s.shape[0]], mask[row, : s.shape[0]] = s, 1
    return hidden.to(device), mask.to(device)


@dataclass(frozen=True)
class FrozenBottom:
    """A cache and the number of bottom layers whose outputs scoring takes from it."""

    cache: LowerLayerCache
    layers: int
