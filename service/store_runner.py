"""The real round runner: reads a project from the store, runs ``demux_core.rounds.round.run_round``,
writes scores, map, selection, metrics and the checkpoint back.

Imported only on the worker thread (it imports torch through ``demux_core``). A round's
model starts from the newest earlier checkpoint of the project, else from a warm start on
the seed pool (when it has labels), else from the bare pre-trained encoder. A checkpoint
folder holds ``trained_keys.json``: the source examples it was trained on, so the next round
trains on the new labels only (``init_from="previous"``), with the recipe of
``TrainingConfig``'s defaults: twice as many replayed seed examples as new labels, at least
80 (see ``docs/research-log.md``); a project setting ``keep_best`` adds model selection on a
held-out part of the seed pool.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from service.label_free import target_stability
from service.pool_index import ensure_pool_index, shared_vectors_file
from service.target_sample import labeled_test_pool
from service.twin import test_interval, twin_reason
from service.worker import ProgressCallback
from storage.resolution import labels_of

TRAINED_KEYS_FILE = "trained_keys.json"
WARM_START_FOLDER = "model-warm-start"
LOWER_LAYERS_FOLDER = "lower-layers"  # the frozen bottom layers' outputs, across rounds
STATUS_OF_STAGE = {
    "training": "training",
    "evaluating": "training",
    "scoring": "scoring",
    "selecting": "selecting",
    "projecting": "selecting",
    "indexing": "scoring",
}


def _json_prediction(prediction: Any) -> Any:
    """A QA ``(start, text)`` becomes ``{"answer_start", "answer_text"}``; tuples become lists."""
    if isinstance(prediction, tuple) and len(prediction) == 2 and isinstance(prediction[0], int):
        return {"answer_start": int(prediction[0]), "answer_text": str(prediction[1])}
    if isinstance(prediction, tuple):
        return list(prediction)
    return prediction


def _previous_checkpoint(store: Any, round_number: int) -> Path | None:
    for earlier in reversed(store.rounds()):
        if earlier.number < round_number and earlier.checkpoint_path:
            folder = Path(earlier.checkpoint_path)
            if folder.is_dir():
                return folder
    return None


def _seed_split(store: Any, keep_best: bool) -> tuple[list, list]:
    """The labeled seed pool as (warm start + replay part, held-out part).

    With ``keep_best`` (project setting ``keep_best``; off by default) 20 % of the pool, at
    most 60 examples, is held out and never trained on, and every round keeps its best epoch
    on it, the starting weights included. Without it the whole pool trains.
    """
    from demux_core.training.round import split_heldout

    seed = [e for e in store.pool_examples("seed") if e.gold is not None]
    return split_heldout(seed) if keep_best else (seed, [])


def _start_model(store: Any, info: Any, round_number: int, recipe: Any):
    """(model, tokenizer, keys already trained on) for this round (``recipe``: the project's
    :class:`~demux_core.recipes.RoundRecipe`)."""
    training = recipe.training
    from demux_core.models.task_model import TaskModel, load_checkpoint_tokenizer
    from demux_core.training.round import warm_start

    checkpoint = _previous_checkpoint(store, round_number)
    if checkpoint is not None:
        trained = json.loads((checkpoint / TRAINED_KEYS_FILE).read_text(encoding="utf-8"))
        return TaskModel.load(checkpoint), load_checkpoint_tokenizer(checkpoint), set(trained)
    from transformers import AutoTokenizer

    from demux_core.models.source import resolve_model_source

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_source(info.model_spec))
    seed, _heldout = _seed_split(store, training.keep_best)
    if seed and info.labels:
        current = store.current_round()
        store.set_round_status(current.id, "training", progress=0.0,
                               stage=f"warm start on {len(seed)} seed examples")  # fmt: skip
        model = warm_start(info.model_spec, info.task, info.labels, seed, recipe.warm_start,
                           tokenizer=tokenizer, progress=False)  # fmt: skip
        # kept when the rounds average their weights with it, and for the random twin
        if training.warm_start_weight > 0 or twin_reason(store) is None:
            model.save(store.artifacts / WARM_START_FOLDER, tokenizer=tokenizer)
    else:
        model = TaskModel.from_pretrained(
            info.model_spec, info.task, info.labels, seed=training.seed
        )
    return model, tokenizer, set()


def _warm_start_folder(store: Any, training: Any) -> Path | None:
    """The kept warm start the rounds average with (None when ``warm_start_weight`` is 0)."""
    if training.warm_start_weight <= 0:
        return None
    folder = store.artifacts / WARM_START_FOLDER
    if not folder.is_dir():
        from demux_core.errors import DemuxError

        raise DemuxError(
            f"the project setting warm_start_weight={training.warm_start_weight} averages each "
            f"round with the warm start, but {folder} is missing (it is kept from the first "
            "round on; restore it, or set warm_start_weight to 0)"
        )
    return folder


# The project settings that change a round's training (ProjectSettings fields or older keys).
PROJECT_TRAINING_SETTINGS = ("epochs", "learning_rate", "head_learning_rate", "min_steps",
                             "keep_best", "min_train_labels", "k", "frozen_layers")  # fmt: skip


def project_recipe(settings: dict[str, Any], task: str, has_seed: bool = True) -> Any:
    """A project's round recipe, from :func:`demux_core.recipes.round_recipe` (as the CLI's).

    The project's settings are the overrides; a project stored before a setting existed
    reads ``keep_best``, ``min_train_labels`` and ``warm_start_weight`` as off, and without a
    labeled seed pool (``has_seed`` False) the warm-start weight is 0.
    """
    from demux_core.recipes import round_recipe

    overrides = {name: settings.get(name) for name in PROJECT_TRAINING_SETTINGS}
    overrides["keep_best"] = bool(settings.get("keep_best", False))
    overrides["min_train_labels"] = int(settings.get("min_train_labels", 0))
    overrides["warm_start_weight"] = (
        float(settings.get("warm_start_weight", 0.0)) if has_seed else 0.0
    )
    return round_recipe(task, overrides, trained_warm_start=has_seed)


def project_round_config(info: Any, strategy: str, has_seed: bool) -> tuple[Any, Any]:
    """(recipe, RoundConfig) of a project's rounds: its settings over the task's recipe."""
    from demux_core.rounds.types import RoundConfig

    settings = info.settings
    recipe = project_recipe(settings, info.task, has_seed=has_seed)
    config = RoundConfig(
        strategy=strategy, budget=int(settings.get("budget", 20)), k=recipe.k,
        seed=int(settings.get("seed", 0)), training=recipe.training,
        engine=str(settings.get("engine", "local")),
    )  # fmt: skip
    return recipe, config


def trained_keys_after(round_trained: bool, labeled: Iterable[str], before: set[str]) -> list[str]:
    """The source keys the round's checkpoint has been trained on, sorted.

    A round that trained saw every label so far; one that did not (below the project
    setting ``min_train_labels``) leaves its new labels waiting for the next round.
    """
    return sorted(set(labeled) if round_trained else before)


class StoreRoundRunner:
    """Runs a round of a stored project with the real model (see module docstring)."""

    def run(self, store: Any, round_id: int, progress: ProgressCallback) -> None:
        from demux_core.data.labels import with_label
        from demux_core.models.lower_cache import LowerLayerCache
        from demux_core.rounds.round import run_round
        from demux_core.rounds.types import Pools

        info = store.info()
        current = store.get_round(round_id)
        settings = info.settings
        seed, heldout = _seed_split(store, bool(settings.get("keep_best", False)))
        recipe, config = project_round_config(info, current.strategy, bool(seed and info.labels))
        stage_seen: list[str] = []

        def report(stage: str, fraction: float) -> None:
            if not stage_seen or stage_seen[-1] != stage:
                stage_seen.append(stage)
                store.set_round_status(
                    round_id, STATUS_OF_STAGE.get(stage, "scoring"), stage=stage, progress=0.0
                )
            progress(stage, fraction)

        store.set_round_status(round_id, "training", stage="loading model", progress=0.0)
        clock = time.perf_counter()
        model, tokenizer, trained = _start_model(store, info, current.number, recipe)
        start_seconds = time.perf_counter() - clock
        source, target = store.stored_examples("source"), store.stored_examples("target")
        resolved = store.resolutions("source")  # one read: the labels and the conflicts
        labels = labels_of(resolved)  # reviewed, agreed or single labels
        left_out = sum(found.state == "conflict" for found in resolved.values())  # until reviewed
        labeled = {s.key: with_label(s.example, labels[s.key]) for s in source if s.key in labels}
        new = [example for key, example in labeled.items() if key not in trained]
        earlier = [example for key, example in labeled.items() if key in trained]
        picked = sorted({sel.position for r in store.rounds() if r.id != round_id
                         for sel in store.selections(r.id)})  # fmt: skip
        pools = Pools(
            source=[s.example for s in source], target=[s.example for s in target],
            test=labeled_test_pool(store),
            seed=seed, heldout=heldout,
        )  # fmt: skip
        index = fixed = None
        if settings.get("round_mode", "indexed") == "indexed":
            clock = time.perf_counter()
            index, fixed = ensure_pool_index(
                store, info, config.engine, report, loaded={"source": source, "target": target}
            )
            index_seconds = time.perf_counter() - clock
        outcome = run_round(model, tokenizer, pools, config, new_labels=new, earlier_labels=earlier,
                            exclude=picked, keep_on_map=picked, progress=report, fixed=fixed,
                            warm_start_dir=_warm_start_folder(store, config.training),
                            lower_cache=LowerLayerCache(store.artifacts / LOWER_LAYERS_FOLDER))  # fmt: skip
        outcome.timings["loading model"] = start_seconds  # includes any warm start
        if index is not None:  # the build (first round, imports) or the check that it is current
            outcome.timings["indexing"] = index_seconds
        keys = trained_keys_after(outcome.trained, labeled, trained)
        checkpoint = self._save_checkpoint(store, current.number, outcome.model, tokenizer, keys)
        self._write_outcome(store, round_id, outcome, checkpoint, len(labeled), index, pools.test,
                            left_out)  # fmt: skip

    @staticmethod
    def _save_checkpoint(
        store: Any, number: int, model: Any, tokenizer: Any, trained_keys: list[str]
    ) -> Path:
        """Save this round's model; older round folders are removed (one model per project)."""
        folder = store.artifacts / f"model-round-{number}"
        model.save(folder, tokenizer=tokenizer)
        (folder / TRAINED_KEYS_FILE).write_text(json.dumps(trained_keys), encoding="utf-8")
        for old in store.artifacts.glob("model-round-*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        return folder

    @staticmethod
    def _write_outcome(
        store: Any,
        round_id: int,
        outcome: Any,
        checkpoint: Path,
        n_labeled: int,
        index: Any,
        test: list,
        left_out: int = 0,
    ) -> None:
        version = outcome.model_version
        for pool, scores in (("source", outcome.source_scores), ("target", outcome.target_scores)):
            predictions = [_json_prediction(p) for p in scores.predictions]
            if index is None:
                store.save_scores(
                    version, round_id, pool, scores.uncertainty, predictions, scores.embeddings
                )
            else:  # the vectors are the index's: shared, not copied per round
                store.save_scores(version, round_id, pool, scores.uncertainty, predictions,
                                  scored=scores.scored, embeddings_file=shared_vectors_file(index, pool))  # fmt: skip
        if outcome.map_points is not None:
            points = outcome.map_points
            positions = [("source", int(p)) for p in points.source_positions] + [
                ("target", int(p)) for p in points.target_positions]  # fmt: skip
            import numpy as np

            coords = np.concatenate([points.source_coords, points.target_coords], axis=0)
            store.save_projection(version, positions, coords)
        if outcome.selection is not None:
            selection = outcome.selection
            store.save_selection(round_id, selection.indices, selection.uncertainty,
                                 selection.distance_to_target, k=selection.k_used)  # fmt: skip
        metrics: dict[str, Any] = {"n_labeled": n_labeled, "pearson": outcome.pearson,
                                   "left_out_conflicts": left_out}  # fmt: skip
        if index is not None:
            metrics.update(index_notes=index.notes, index_search=index.search.kind,
                           index_recall=index.search.recall)  # fmt: skip
        if outcome.test_metrics is not None:
            metrics.update(test_metric=outcome.test_metrics.main, test_values=outcome.test_metrics.values,
                           metric_name="f1" if "f1" in outcome.test_metrics.values else "accuracy",
                           test_interval=test_interval(test, store.info().task, outcome.test_metrics))  # fmt: skip
        metrics.update(target_stability(store, round_id, outcome.target_scores))
        store.set_round_status(round_id, "annotating", progress=1.0, timings=outcome.timings,
                               model_version=version, checkpoint_path=str(checkpoint), metrics=metrics)  # fmt: skip
