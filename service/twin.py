"""The random twin: what the same recipe gains from random picks, beside DeMuX's.

A project whose source pool carries gold labels for every sentence (the demos, any benchmark
project) and that has a labeled test pool can show whether DeMuX's picks helped: after each
real round, a background job trains a twin model with the project's recipe on as many
RANDOM source sentences as the real model was trained on, labeled from gold, continuing
from the twin's own previous model (the first from the project's warm start), and evaluates
it on the same test pool. The twin's score and its 95 % bootstrap interval go into the real
round's metrics (``twin_metric``, ``twin_interval``, ``twin_n_labeled``), beside the real
round's ``test_interval``.

The twin runs after the real round has stored its picks, in a child process of lower
priority, and the worker stops it as soon as a real round is queued
(:class:`service.worker.RoundWorker`), so it never delays the annotators' next picks.
Its state lives in ``artifacts/twin/``: ``state.json`` (the source positions it picked, in
order) and ``model/`` (its latest model). Project setting ``baseline_twin`` (default on)
turns it off.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

TWIN_FOLDER = "twin"
STATE_FILE = "state.json"
TWIN_SEED_OFFSET = 7919  # the twin's random picks never share the project's selection seed


def twin_reason(store: Any) -> str | None:
    """None when the project can run a twin; else why it cannot, in words."""
    if not bool(store.info().settings.get("baseline_twin", True)):
        return "the random twin is turned off in the project settings (baseline_twin)"
    source = store.pool_size("source")
    if source == 0 or store.gold_count("source") < source:
        return "the source pool has no gold label for every sentence (only benchmark data has)"
    if store.gold_count("test") == 0:
        return "the project has no labeled test pool to compare on"
    return None


def test_interval(
    test: list, task: str, metrics: Any, n_resamples: int = 1000
) -> list[float] | None:
    """The 95 % bootstrap interval of a round's test score over ``test``, the examples it was
    evaluated on (None when they do not line up with the metrics' predictions)."""
    from demux_core.data.labels import gold_labels
    from demux_core.rounds.evaluation import main_interval

    if not test or len(metrics.predictions) != len(test):
        return None
    low, high = main_interval(gold_labels(test), list(metrics.predictions), task, n_resamples)
    return [round(low, 4), round(high, 4)]


def _state(folder: Path) -> dict:
    try:
        return json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"picked": []}


def _save_state(folder: Path, state: dict) -> None:
    from demux_core.index.files import write_json

    write_json(folder / STATE_FILE, state)


def run_twin(store: Any, round_id: int) -> dict | None:
    """Train and evaluate the twin for round ``round_id``; returns what it stored (None when
    the project cannot have a twin or the round has no test score)."""
    if twin_reason(store) is not None:
        return None
    current = store.get_round(round_id)
    metrics = current.metrics or {}
    if "test_metric" not in metrics:
        return None
    wanted = int(metrics.get("n_labeled", 0))
    folder = store.artifacts / TWIN_FOLDER
    state = _state(folder)
    picked: list[int] = list(state["picked"])
    if wanted == 0:  # no label yet: the twin is the real round's model
        point = {"twin_metric": metrics["test_metric"], "twin_n_labeled": 0,
                 "twin_interval": metrics.get("test_interval")}  # fmt: skip
        store.merge_round_metrics(round_id, point)
        return point
    return _train_twin(store, current, folder, picked, wanted)


def _train_twin(store: Any, current: Any, folder: Path, picked: list[int], wanted: int) -> dict:
    import numpy as np

    from demux_core.data.labels import with_label
    from demux_core.models.lower_cache import LowerLayerCache
    from demux_core.models.task_model import TaskModel, load_checkpoint_tokenizer
    from demux_core.rounds.round import run_round
    from demux_core.rounds.types import Pools
    from service.store_runner import (
        LOWER_LAYERS_FOLDER,
        WARM_START_FOLDER,
        _seed_split,
        project_round_config,
    )
    from service.target_sample import labeled_test_pool

    info = store.info()
    source = store.stored_examples("source")
    seed, heldout = _seed_split(store, bool(info.settings.get("keep_best", False)))
    _, config = project_round_config(info, "random", bool(seed and info.labels))
    rng = np.random.default_rng([int(info.settings.get("seed", 0)) + TWIN_SEED_OFFSET,
                                 current.number])  # fmt: skip
    free = np.setdiff1d(np.arange(len(source)), picked)
    new_rows = [int(i) for i in rng.permutation(free)[: max(wanted - len(picked), 0)]]

    def labeled(rows):
        return [with_label(source[i].example, source[i].example.gold) for i in rows]

    start = folder / "model" if (folder / "model").is_dir() else store.artifacts / WARM_START_FOLDER
    if start.is_dir():
        model, tokenizer = TaskModel.load(start), load_checkpoint_tokenizer(start)
    else:  # no warm start (no seed labels): the bare encoder, as the real round 1 had
        from transformers import AutoTokenizer

        from demux_core.models.source import resolve_model_source

        model = TaskModel.from_pretrained(info.model_spec, info.task, info.labels,
                                          seed=config.training.seed)  # fmt: skip
        tokenizer = AutoTokenizer.from_pretrained(resolve_model_source(info.model_spec))
    test = labeled_test_pool(store)
    pools = Pools(source=[s.example for s in source], target=[], test=test, seed=seed,
                  heldout=heldout)  # fmt: skip
    warm = store.artifacts / WARM_START_FOLDER
    outcome = run_round(model, tokenizer, pools, config, new_labels=labeled(new_rows),
                        earlier_labels=labeled(picked), rescore=False,
                        warm_start_dir=warm if warm.is_dir() else None,
                        lower_cache=LowerLayerCache(store.artifacts / LOWER_LAYERS_FOLDER))  # fmt: skip
    saving = folder / "model-new"
    shutil.rmtree(saving, ignore_errors=True)
    outcome.model.save(saving, tokenizer=tokenizer)
    shutil.rmtree(folder / "model", ignore_errors=True)
    saving.rename(folder / "model")
    picked = picked + new_rows
    _save_state(folder, {"picked": picked})
    point = {"twin_metric": outcome.test_metrics.main, "twin_n_labeled": len(picked),
             "twin_interval": test_interval(test, info.task, outcome.test_metrics)}  # fmt: skip
    store.merge_round_metrics(current.id, point)
    return point
