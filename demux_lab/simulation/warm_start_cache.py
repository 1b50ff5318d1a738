"""The warm-start checkpoint of a simulation: fine-tuned once on the seed set, cached on disk.

The cache key covers everything that changes the checkpoint (model, task, labels, pooling,
the warm-start training settings, the seed examples), so runs that differ only in strategy,
seed or round settings share one warm start. Runs started side by side on the same cache
take turns on a lock file: the first trains and saves, the others wait and reuse its folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from demux_core.data.examples import Example
from demux_core.models.task_model import META_FILE, TaskModel

if TYPE_CHECKING:
    from demux_core.rounds.types import Pools
    from demux_lab.simulation.config import SimulationConfig

# The training settings that change a warm-start checkpoint (its cache key).
WARM_START_FIELDS = (
    "epochs",
    "learning_rate",
    "head_learning_rate",
    "batch_size",
    "weight_decay",
    "warmup_ratio",
    "max_grad_norm",
    "max_length",
    "freeze_word_embeddings",
    "seed",
)


def warm_start_model(
    config: SimulationConfig, pools: Pools, cache_root: Path, show_bars: bool = True
) -> Path:
    """Fine-tune the base model on the labeled seed set once; reuse the checkpoint after."""
    key = warm_start_key(config, pools.seed)
    folder = cache_root / f"warm_start-{key}"
    if (folder / META_FILE).is_file():
        return folder
    with _exclusive(cache_root / f"warm_start-{key}.lock"):
        if not (folder / META_FILE).is_file():  # another run may have saved it while we waited
            _train_and_save(config, pools, folder, show_bars)
    return folder


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if needed) for the ``with`` body."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _train_and_save(config: SimulationConfig, pools: Pools, folder: Path, show_bars: bool) -> None:
    from demux_core.training.round import warm_start

    training = config.warm_start.training
    tokenizer = _tokenizer_for(config.model)
    if pools.seed and config.tune_encoder_on_seed:
        model = warm_start(
            config.model,
            config.task,
            config.labels,
            pools.seed,
            training,
            tokenizer=tokenizer,
            pooling=config.pooling,
            progress=show_bars,
        )
    else:  # no seed set (or told not to tune on it): the bare pre-trained encoder
        model = TaskModel.from_pretrained(
            config.model, config.task, config.labels, config.pooling, seed=training.seed
        )
    scratch = folder.with_name(folder.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)  # a killed run's leftover; we hold the lock
    shutil.rmtree(folder, ignore_errors=True)  # an incomplete folder (no META_FILE)
    model.save(scratch, round_id=0, tokenizer=tokenizer)
    scratch.rename(folder)  # a killed warm start never leaves a folder that looks complete


def _tokenizer_for(spec: str | None):
    from demux_core.models import load_tokenizer

    return load_tokenizer(spec)


def warm_start_key(config: SimulationConfig, seed_examples: Sequence[Example]) -> str:
    training = config.warm_start.training
    relevant = (config.model, config.task, config.labels, config.pooling)
    relevant += tuple(getattr(training, name) for name in WARM_START_FIELDS)
    if not config.tune_encoder_on_seed:
        relevant += ("pre-trained encoder",)
    digest = hashlib.sha1(repr(relevant).encode())
    for example in seed_examples:
        digest.update(repr(example).encode())
    return digest.hexdigest()[:12]
