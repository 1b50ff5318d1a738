"""The round-level training recipe: the warm start, what a round trains on, where it starts.

The paper's recipe: first fine-tune on a labeled source-language seed set (:func:`warm_start`);
then each round fine-tunes on the labels acquired so far (:func:`training_examples_for_round`),
starting from the previous round's checkpoint or the warm start
(:func:`round_start_checkpoint`), and saves a checkpoint with its round id
(:func:`save_round_checkpoint`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path

import torch

from demux_core.config import TrainingConfig, check_warm_start_weight
from demux_core.data.examples import Example, TaskType
from demux_core.models.source import resolve_model_source
from demux_core.models.task_model import TaskModel
from demux_core.training.fine_tune import fine_tune


def warm_start(
    spec: str | Path | None,
    task: TaskType | str,
    labels: Sequence[str],
    seed_examples: Sequence[Example],
    config: TrainingConfig | None = None,
    *,
    tokenizer=None,
    pooling: str = "mean",
    progress: bool = True,
) -> TaskModel:
    """A task model first fine-tuned on a labeled (source-language) seed set.

    Parameters
    ----------
    spec : str, Path or None
        Model spec or folder (``None`` = the default model).
    task, labels, pooling
        As in :meth:`TaskModel.from_pretrained`.
    seed_examples : sequence of Example
        Labeled seed set.
    config : TrainingConfig or None
    tokenizer : optional
        Defaults to the tokenizer found with the model.
    """
    config = config or TrainingConfig()
    model = TaskModel.from_pretrained(spec, task, labels, pooling, seed=config.seed)
    if tokenizer is None:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(resolve_model_source(spec))
    fine_tune(model, tokenizer, seed_examples, config, progress=progress)
    return model


def training_examples_for_round(
    config: TrainingConfig,
    *,
    new_labels: Sequence[Example],
    earlier_labels: Sequence[Example] = (),
    seed_examples: Sequence[Example] = (),
) -> list[Example]:
    """The examples a selection round fine-tunes on.

    ``init_from="previous"``: the labels acquired this round (the model already saw the
    earlier ones). ``init_from="warm_start"``: all labels acquired so far. With
    ``seed_replay`` the seed set is mixed in: all of it, or with ``seed_replay_ratio`` a
    sample of ``max(ceil(ratio * labels), seed_replay_min)`` seed examples (seeded by
    ``config.seed`` and the number of labels, so every round replays a different slice).
    Duplicate ids are kept once (first wins).
    """
    parts: list[Sequence[Example]] = []
    if config.init_from == "warm_start":
        parts.append(earlier_labels)
    parts.append(new_labels)
    if config.seed_replay:
        labels = sum(len(part) for part in parts)
        parts.insert(0, replay_sample(seed_examples, labels, config))
    chosen, seen = [], set()
    for example in (example for part in parts for example in part):
        if example.id not in seen:
            seen.add(example.id)
            chosen.append(example)
    return chosen


def round_start_checkpoint(
    config: TrainingConfig, *, previous: str | Path | None, warm_start_dir: str | Path
) -> Path:
    """The checkpoint a round starts from (the warm start when there is no previous round)."""
    if config.init_from == "previous" and previous is not None:
        return Path(previous)
    return Path(warm_start_dir)


def average_with_warm_start(model: TaskModel, warm_start: TaskModel, weight: float) -> TaskModel:
    """Move ``model``'s weights towards the warm start's, in place: ``w * warm + (1 - w) * own``.

    Weight-space averaging of a fine-tuned model with the model it started from keeps much
    of what the start knew while keeping most of the new task signal. Here it bounds how
    far the rounds drift from the warm start: each round's change is shrunk by ``1 - w``.

    Parameters
    ----------
    model : TaskModel
        The round's trained model (changed in place and returned).
    warm_start : TaskModel
        The checkpoint the rounds started from; same architecture and labels.
    weight : float
        ``w`` in [0, 1); 0 returns ``model`` unchanged.
    """
    check_warm_start_weight(weight)
    own, anchor = model.state_dict(), warm_start.state_dict()
    mismatched = sorted(
        name for name in own.keys() | anchor.keys()
        if name not in own or name not in anchor or own[name].shape != anchor[name].shape
    )  # fmt: skip
    if mismatched:
        raise ValueError(
            "the warm start's weights do not match the round's model "
            f"(different labels or base model?): {', '.join(mismatched[:5])}"
        )
    if weight == 0.0:
        return model
    with torch.no_grad():
        for name, value in own.items():
            if value.is_floating_point():
                start = anchor[name].to(device=value.device, dtype=value.dtype)
                if torch.equal(value, start):
                    continue  # e.g. frozen layers: kept bit for bit (their cached outputs hold)
                value.mul_(1.0 - weight).add_(start, alpha=weight)
    return model


def save_round_checkpoint(
    model: TaskModel, root: str | Path, round_id: int, tokenizer=None
) -> Path:
    """Save ``model`` as ``<root>/round_<round_id:03d>`` with its round id recorded."""
    return model.save(Path(root) / f"round_{round_id:03d}", round_id=round_id, tokenizer=tokenizer)


def replay_sample(
    seed_examples: Sequence[Example], n_labels: int, config: TrainingConfig
) -> list[Example]:
    """The seed examples replayed next to ``n_labels`` new labels (see above)."""
    if config.seed_replay_ratio <= 0:
        return list(seed_examples)
    wanted = max(math.ceil(config.seed_replay_ratio * n_labels), config.seed_replay_min)
    size = min(len(seed_examples), wanted)
    rng = random.Random(config.seed * 1_000_003 + n_labels)
    chosen = sorted(rng.sample(range(len(seed_examples)), size))
    return [seed_examples[i] for i in chosen]


def split_heldout(
    seed_examples: Sequence[Example], share: float = 0.2, max_size: int = 60, min_seed: int = 20
) -> tuple[list[Example], list[Example]]:
    """Split a labeled seed set into (warm-start part, held-out part for ``keep_best``).

    The held-out part is a seeded sample of ``min(max_size, share * n)`` examples; seed sets
    under ``min_seed`` examples are not split (everything trains, nothing is held out).
    The held-out examples are never trained on, so ``keep_best`` measures real forgetting.
    """
    examples = list(seed_examples)
    size = min(max_size, int(share * len(examples)))
    if len(examples) < min_seed or size < 1:
        return examples, []
    chosen = set(random.Random(0).sample(range(len(examples)), size))
    kept = [e for i, e in enumerate(examples) if i not in chosen]
    return kept, [e for i, e in enumerate(examples) if i in chosen]
