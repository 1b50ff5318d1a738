"""Fine-tune a task model on labeled examples (AdamW, linear warm-up and decay).

The round-level recipe (what a round trains on, where it starts) is in
:mod:`demux_core.training.round`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from tqdm.auto import tqdm

from demux_core.config import TrainingConfig
from demux_core.data.examples import Example, TaskType, task_of
from demux_core.errors import SelectionError
from demux_core.models.features import IGNORE_INDEX, Feature, encode_examples, pad_batch
from demux_core.models.lower_cache import LowerLayerCache
from demux_core.models.task_model import TaskModel
from demux_core.precision import autocast
from demux_core.runtime import configure_threads, pick_device

ProgressCallback = Callable[[int, int], None]
HeldoutScore = Callable[[TaskModel], float]


@dataclass(frozen=True)
class TrainResult:
    """What a fine-tuning run did.

    Attributes
    ----------
    losses : tuple of float
        Training loss of every optimisation step, in order.
    steps : int
    seconds : float
        Wall-clock time of the run.
    examples : int
        Labeled examples trained on (QA: before windowing).
    best_epoch : int or None
        With ``keep_best``: the epoch whose weights were kept (0 = the starting weights).
    heldout_scores : tuple of float
        With ``keep_best``: the held-out score before training and after each epoch.
    """

    losses: tuple[float, ...]
    steps: int
    seconds: float
    examples: int
    best_epoch: int | None = None
    heldout_scores: tuple[float, ...] = ()


def seed_everything(seed: int) -> None:
    """Seed python's, numpy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (seeds code that uses the legacy global RNG)
    torch.manual_seed(seed)


def fine_tune(
    model: TaskModel,
    tokenizer,
    examples: Sequence[Example],
    config: TrainingConfig | None = None,
    *,
    progress: bool = True,
    progress_callback: ProgressCallback | None = None,
    heldout_score: HeldoutScore | None = None,
    lower_cache: LowerLayerCache | None = None,
) -> TrainResult:
    """Train ``model`` in place on labeled examples.

    Token tasks are labeled on the first sub-word of each word only; QA examples become
    windows, a window without the answer learning to point at ``<s>``. Afterwards
    ``model.model_version`` names the new weights.

    Parameters
    ----------
    model : TaskModel
    tokenizer : transformers fast tokenizer
    examples : sequence of Example
        Labeled, of the model's task family.
    config : TrainingConfig or None
    progress : bool
        Show a tqdm bar.
    progress_callback : callable(done, total) or None
        Called after each step with steps done and total steps.
    heldout_score : callable(model) -> float, optional
        Higher is better (e.g. accuracy on a held-out labeled source-language set). With
        ``config.keep_best`` it is measured before training and after each epoch, and the
        best weights are kept.
    lower_cache : LowerLayerCache, optional
        With ``config.frozen_layers``: the bottom-layer outputs it holds for these weights
        are reused and the new ones kept (a project's rounds share one on disk).

    Returns
    -------
    TrainResult
    """
    config = config or TrainingConfig()
    _check_examples(model, examples)
    started = time.perf_counter()
    seed_everything(config.seed)
    threads_before = torch.get_num_threads()
    configure_threads(config.num_threads)
    device = pick_device(config.device)
    model.to(device).train()
    model.freeze_word_embeddings(config.freeze_word_embeddings)
    max_length = config.qa_max_length if model.task is TaskType.QA else config.max_length
    features = encode_examples(
        tokenizer,
        examples,
        model.task,
        max_length=max_length,
        qa_stride=config.qa_stride,
        label_to_id=model.label_to_id,
    )
    keeper = _BestWeights(model, heldout_score) if config.keep_best and heldout_score else None
    try:
        with _batch_losses(model, tokenizer.pad_token_id, features, config, device,
                           lower_cache) as (loss, desc):  # fmt: skip
            losses = _train_loop(model, len(features), loss, config, device, progress,
                                 progress_callback, keeper, desc)  # fmt: skip
    finally:
        torch.set_num_threads(threads_before)
        model.eval()
    best_epoch = keeper.restore() if keeper else None
    if best_epoch != 0:
        model.model_version = _next_version(model, examples, config)
    return TrainResult(
        tuple(losses),
        len(losses),
        time.perf_counter() - started,
        len(examples),
        best_epoch,
        tuple(keeper.scores) if keeper else (),
    )


class _BestWeights:
    """Remembers the trainable weights of the best-scoring epoch (epoch 0 = untrained)."""

    def __init__(self, model: TaskModel, score: HeldoutScore) -> None:
        self.model, self.score = model, score
        self.scores: list[float] = []
        self.best_epoch = -1
        self.best_state: dict[str, torch.Tensor] = {}
        self.after_epoch(0)

    def after_epoch(self, epoch: int) -> None:
        was_training = self.model.training
        self.model.eval()
        value = float(self.score(self.model))
        self.model.train(was_training)
        self.scores.append(value)
        if self.best_epoch < 0 or value > max(self.scores[:-1]):
            self.best_epoch = epoch
            self.best_state = {
                name: parameter.detach().clone()
                for name, parameter in self.model.named_parameters()
                if parameter.requires_grad
            }

    def restore(self) -> int:
        with torch.no_grad():
            for name, parameter in self.model.named_parameters():
                if name in self.best_state:
                    parameter.copy_(self.best_state[name])
        return self.best_epoch


def _check_examples(model: TaskModel, examples: Sequence[Example]) -> None:
    if not examples:
        raise SelectionError("cannot fine-tune on zero examples")
    for index, example in enumerate(examples):
        if task_of(example) is not model.task:
            raise SelectionError(
                f"example {index} ({example.id!r}) is a {task_of(example)} example; "
                f"the model is a {model.task} model"
            )


def _optimizer(model: TaskModel, config: TrainingConfig) -> torch.optim.AdamW:
    """AdamW; no weight decay on biases and norms; the head may have its own learning rate."""
    head_lr = config.head_learning_rate or config.learning_rate
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = defaultdict(list)
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        plain = parameter.ndim < 2 or "norm" in name.lower()
        groups[(name.startswith("head."), plain)].append(parameter)
    return torch.optim.AdamW(
        [
            {
                "params": params,
                "lr": head_lr if is_head else config.learning_rate,
                "weight_decay": 0.0 if plain else config.weight_decay,
            }
            for (is_head, plain), params in sorted(groups.items())
        ]
    )


def _linear_schedule(optimizer, total_steps: int, warmup_ratio: float):
    warmup = math.ceil(total_steps * warmup_ratio)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _batch_tensors(features: Sequence[Feature], pad_id: int, task: TaskType, device):
    ids, mask = pad_batch(features, pad_id)
    if task is TaskType.TOKEN:
        targets = np.full(ids.shape, IGNORE_INDEX, dtype=np.int64)
        for row, feature in enumerate(features):
            targets[row, : len(feature.target)] = feature.target
    else:
        targets = np.array([feature.target for feature in features], dtype=np.int64)
    return (torch.from_numpy(array).to(device) for array in (ids, mask, targets))


def _loss(model: TaskModel, ids, mask, targets) -> torch.Tensor:
    return loss_from_logits(model.task, model(ids, mask).logits, mask, targets)


def loss_from_logits(task: TaskType, logits, mask, targets) -> torch.Tensor:
    """The training loss of a batch from its logits (token, sequence/pair or QA)."""
    if task is TaskType.TOKEN:
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX)
    if task is TaskType.QA:
        logits = logits.masked_fill(~mask.bool().unsqueeze(-1), -1e4)
        start = F.cross_entropy(logits[..., 0], targets[:, 0])
        return (start + F.cross_entropy(logits[..., 1], targets[:, 1])) / 2
    return F.cross_entropy(logits, targets[:, 0])


def epochs_for(n_features: int, config: TrainingConfig) -> int:
    """``config.epochs``, raised so that training takes at least ``config.min_steps`` steps."""
    steps_per_epoch = math.ceil(n_features / config.batch_size)
    return max(config.epochs, math.ceil(config.min_steps / max(steps_per_epoch, 1)))


@contextlib.contextmanager
def _batch_losses(model: TaskModel, pad_id: int, features, config: TrainingConfig, device,
                  lower_cache=None):  # fmt: skip
    """``(loss(indices) -> tensor, bar label)`` for the training loop: through the whole model,
    or through its top layers from cached bottom-layer outputs (``config.frozen_layers``)."""
    if config.frozen_layers:
        from demux_core.training.cached import cached_batch_losses

        with cached_batch_losses(model, pad_id, features, config, device, lower_cache) as cached:
            if cached is not None:
                yield cached
                return

    def loss(indices):
        batch = [features[i] for i in indices]
        return _loss(model, *_batch_tensors(batch, pad_id, model.task, device))

    yield loss, "fine-tuning"


def _train_loop(model, n_features, batch_loss, config, device, progress, progress_callback,
                keeper, desc) -> list[float]:  # fmt: skip
    steps_per_epoch = math.ceil(n_features / config.batch_size)
    epochs = epochs_for(n_features, config)
    total = steps_per_epoch * epochs
    optimizer = _optimizer(model, config)
    schedule = _linear_schedule(optimizer, total, config.warmup_ratio)
    shuffler = torch.Generator().manual_seed(config.seed)
    losses: list[float] = []
    with tqdm(total=total, disable=not progress, desc=desc) as bar:
        for epoch in range(1, epochs + 1):
            order = torch.randperm(n_features, generator=shuffler).tolist()
            for start in range(0, len(order), config.batch_size):
                with autocast(config.precision, device.type):
                    loss = batch_loss(order[start : start + config.batch_size])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                optimizer.step()
                schedule.step()
                losses.append(float(loss.detach()))
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.4f}")
                if progress_callback is not None:
                    progress_callback(len(losses), total)
            if keeper is not None:
                keeper.after_epoch(epoch)
    return losses


def _next_version(model: TaskModel, examples: Sequence[Example], config: TrainingConfig) -> str:
    digest = hashlib.sha1(model.model_version.encode())
    digest.update(repr(config).encode())
    for example in examples:
        digest.update(example.id.encode() + b"\0")
    base = Path(model.base_model).name or "model"
    return f"{base}:ft-{digest.hexdigest()[:12]}"
