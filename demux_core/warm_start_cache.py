"""The warm-start checkpoint of a simulation: fine-tuned once on the seed set, cached on disk.

The cache key covers everything that changes the checkpoint (model, task, labels, pooling,
the warm-start training settings, the seed examples), so runs that differ only in strategy,
seed or round settings share one warm start.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from demux_core.examples import Example
from demux_core.task_model import META_FILE, TaskModel

if TYPE_CHECKING:
    from demux_core.rounds import Pools
    from demux_core.simulation import SimulationConfig

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
    from demux_core.round_training import warm_start

    key = warm_start_key(config, pools.seed)
    folder = cache_root / f"warm_start-{key}"
    if (folder / META_FILE).is_file():
        return folder
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
    shutil.rmtree(scratch, ignore_errors=True)
    model.save(scratch, round_id=0, tokenizer=tokenizer)
    scratch.rename(folder)  # a killed warm start never leaves a folder that looks complete
    return folder


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
