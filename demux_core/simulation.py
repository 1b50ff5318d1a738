"""Simulated DeMuX experiments: a simulated annotator reveals gold labels round by round.

Work that does not depend on the strategy or the seed is done once and shared: the
warm-start model (cached on disk, keyed by its settings and data) and the first scoring pass
of the pools with it (which also gives the zero-shot test metric).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from demux_core.examples import Example
from demux_core.labels import with_label
from demux_core.rounds import Pools, RoundConfig, RoundOutcome, run_round, select_next
from demux_core.task_model import META_FILE, TaskModel, load_checkpoint_tokenizer

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


@dataclass(frozen=True)
class SimulationConfig:
    """An experiment: strategies x seeds, each run for ``rounds`` rounds of ``round.budget``.

    Attributes
    ----------
    model : str or None
        Model spec (None = the built-in default).
    task : str
        ``token``, ``sequence`` or ``pair`` (QA runs need a QA seed set and test set).
    labels : tuple of str
        The label schema.
    strategies : tuple of str
    seeds : tuple of int
    rounds : int
    round : RoundConfig
        Budget per round, k, scoring and training settings (its seeds are overridden per run).
    warm_start : RoundConfig's training settings for the warm start on the seed set.
    pooling : {"mean", "cls"}
        Sequence-head pooling.
    """

    task: str
    labels: tuple[str, ...]
    strategies: tuple[str, ...]
    seeds: tuple[int, ...] = (0, 1, 2)
    rounds: int = 1
    model: str | None = None
    round: RoundConfig = field(default_factory=RoundConfig)
    warm_start: RoundConfig = field(default_factory=RoundConfig)
    pooling: str = "mean"


@dataclass(frozen=True)
class ResultRow:
    """One line of the tidy results table."""

    strategy: str
    seed: int
    round: int
    budget_used: int
    metric: str
    value: float
    seconds: float
    picked: dict[str, int]
    per_language: dict[str, float]


def prefixed(examples: Sequence[Example], pool: str) -> list[Example]:
    """Copies with pool/language-prefixed ids, unique across the files of a pool."""
    return [replace(e, id=f"{pool}:{e.language}:{e.id}") for e in examples]


def warm_start_model(
    config: SimulationConfig, pools: Pools, cache_root: Path, show_bars: bool = True
) -> Path:
    """Fine-tune the base model on the labeled seed set once; reuse the checkpoint after."""
    from demux_core.round_training import warm_start

    key = _warm_start_key(config, pools.seed)
    folder = cache_root / f"warm_start-{key}"
    if (folder / META_FILE).is_file():
        return folder
    training = config.warm_start.training
    tokenizer = _tokenizer_for(config.model)
    if pools.seed:
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
    else:  # no labeled seed set: the rounds start from the bare pre-trained encoder
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


def _warm_start_key(config: SimulationConfig, seed_examples: Sequence[Example]) -> str:
    training = config.warm_start.training
    relevant = (config.model, config.task, config.labels, config.pooling)
    relevant += tuple(getattr(training, name) for name in WARM_START_FIELDS)
    digest = hashlib.sha1(repr(relevant).encode())
    for example in seed_examples:
        digest.update(repr(example).encode())
    return digest.hexdigest()[:12]


def run_experiment(
    config: SimulationConfig, pools: Pools, work_dir: Path, show_bars: bool = True
) -> Iterator[ResultRow]:
    """Run every (strategy, seed) and yield result rows as they are produced.

    Round 0 is the warm-start model (zero-shot on the target); round r >= 1 is the model
    after fine-tuning on the first r batches of picks.
    """
    warm_dir = warm_start_model(config, pools, work_dir, show_bars)
    tokenizer = load_checkpoint_tokenizer(warm_dir)
    clock = time.perf_counter()
    shared = run_round(
        TaskModel.load(warm_dir),
        tokenizer,
        pools,
        replace(config.round, projection=None),
        show_bars=show_bars,
    )
    shared_seconds = time.perf_counter() - clock
    for strategy in config.strategies:
        for seed in config.seeds:
            yield _zero_shot_row(strategy, seed, shared, shared_seconds)
            yield from _one_run(config, pools, warm_dir, tokenizer, shared, strategy, seed)


def _zero_shot_row(strategy: str, seed: int, shared: RoundOutcome, seconds: float) -> ResultRow:
    metrics = shared.test_metrics
    return ResultRow(
        strategy,
        seed,
        0,
        0,
        _metric_name(metrics),
        metrics.main if metrics else float("nan"),
        seconds,
        {},
        _per_language_main(metrics),
    )


def _one_run(config, pools, warm_dir, tokenizer, shared, strategy, seed) -> Iterator[ResultRow]:
    round_config = replace(
        config.round,
        strategy=strategy,
        seed=seed,
        projection=None,
        training=replace(config.round.training, seed=seed),
    )
    model = TaskModel.load(warm_dir)
    selection = select_next(shared.source_scores, shared.target_scores, pools, (), round_config)
    picked: list[int] = []
    labeled: list[Example] = []
    for number in range(1, config.rounds + 1):
        if selection is None:  # the source pool is used up
            break
        clock = time.perf_counter()
        batch = selection.indices.tolist()
        new_labels = [with_label(pools.source[i], pools.source[i].gold) for i in batch]
        picked.extend(batch)
        outcome = run_round(
            model,
            tokenizer,
            pools,
            round_config,
            new_labels=new_labels,
            earlier_labels=labeled,
            exclude=picked,
            warm_start_dir=warm_dir,
            rescore=number < config.rounds,
        )
        labeled.extend(new_labels)
        model = outcome.model
        metrics = outcome.test_metrics
        languages = Counter(pools.source[i].language for i in batch)
        yield ResultRow(
            strategy,
            seed,
            number,
            len(picked),
            _metric_name(metrics),
            metrics.main if metrics else float("nan"),
            time.perf_counter() - clock,
            dict(sorted(languages.items())),
            _per_language_main(metrics),
        )
        selection = outcome.selection


def _metric_name(metrics) -> str:
    if metrics is None:
        return ""
    for name in ("f1", "accuracy", "exact_match"):
        if name in metrics.values and metrics.values[name] == metrics.main:
            return name
    return "main"


def _per_language_main(metrics) -> dict[str, float]:
    if metrics is None:
        return {}
    name = _metric_name(metrics)
    return {lang: values.get(name, float("nan")) for lang, values in metrics.per_language.items()}


def describe(config: SimulationConfig) -> dict:
    """The experiment's settings as JSON-ready data (written next to the results)."""
    return json.loads(json.dumps(asdict(config), default=str))
