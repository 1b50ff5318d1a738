"""The measured defaults of each task family, shared by the CLI and the app.

Every value here comes from a run in docs/research-log.md (the comments say which); the CLI's
``simulate`` and the app's rounds read them through :func:`task_recipe`, so the two cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from demux_core.config import TrainingConfig

# knn-uncertainty's first k (doubled while the neighbourhood union holds no more than the
# budget), for every task family. Against k = 1 at budgets up to 50 with fine-tuning: SIB-200
# +1.5 accuracy with a weak warm start and -0.6 with the 701-sentence one (0.0 over budgets
# 10/50/100), MasakhaNER +1.1 F1 on the default grid and +2.0 with a weak warm start ("k = 4 for
# token tasks" in docs/research-log.md). Pair tasks and QA follow by analogy.
DEFAULT_K = 4
# The strategy of new rounds, projects and simulations (a key of strategies.STRATEGIES).
DEFAULT_STRATEGY = "knn-uncertainty"


@dataclass(frozen=True)
class TaskRecipe:
    """The measured defaults of one task family, shared by the CLI and the app.

    Attributes
    ----------
    round_learning_rate : float
        Learning rate of a round's fine-tuning.
    head_learning_rate : float or None
        Learning rate of the task head (None = the encoder's rate).
    min_steps : int
        A round (and the warm start) trains at least this many optimisation steps.
    warm_learning_rate, warm_epochs : float, int
        The warm start on the labeled seed set.
    k : int
        knn-uncertainty's first k (doubled while the neighbourhood union holds no more than
        the budget).
    warm_start_weight : float
        After each round, average the weights with the warm start's
        (:attr:`TrainingConfig.warm_start_weight`; 0 = off).
    frozen_layers : int
        Rounds train only the encoder layers above this many, from cached outputs
        (:attr:`TrainingConfig.frozen_layers`; the warm start always trains every layer).
    """

    round_learning_rate: float = TrainingConfig.learning_rate
    head_learning_rate: float | None = None
    min_steps: int = 0
    warm_learning_rate: float = 5e-5
    warm_epochs: int = 3
    k: int = DEFAULT_K
    warm_start_weight: float = 0.0
    frozen_layers: int = 0


# Where each value comes from (docs/research-log.md):
# - Sentence tasks (sequence; pair by analogy, no pair data was measured) train rounds at 5e-6: at
#   2e-5 the first 10 labels cost SIB-200 4.2 accuracy points on average, at 5e-6 none ("The
#   fixes on the grid").
# - Token tasks use the recipe every MasakhaNER grid ran with: rounds at 1e-4 (a quarter of it did
#   not help Bambara's first round), a head at 5e-3 and at least 10 steps (with one rate for both
#   a fresh token head collapses to "O"; ten labels are one batch), and a warm start of 4 epochs
#   at 1e-4.
# - Sentence tasks train their head at 5e-3 with at least 10 steps (the app's setting from the
#   start): with the head at the encoder's rate, a 200-sentence English warm start reached 27-39
#   on SIB-200 instead of 60-75, and every budget scored lower ("CLS vs mean distances, and the
#   app's head rate").
# - Sentence tasks average each round with the warm start at 0.5: on SIB-200 (3 seeds) it
#   halved the 701-sentence warm start's losses (knn-uncertainty +0.9 at budgets up to 50 on
#   both grids), and with in-language labels -2.5 / -1.6 / -1.7 became -0.8 / -0.8 / +0.0
#   ("Can labels help a strong warm start at all?"). Token tasks and QA were not run with it.
# - QA was not measured: the app's settings for a fresh head, TrainingConfig's rate.
# - Sentence tasks' rounds train only the top 4 encoder layers (frozen_layers=-4: 8 of the default
#   model's 12 frozen and cached): on the SIB-200 grid (3 targets x 3 seeds) the mean per budget
#   moved +0.3 / +0.2 / -1.0 at 10 / 50 / 100 labels and knn-uncertainty beat random in 6 of 9
#   target-budget cases, as before. Token tasks train every layer: on MasakhaNER (weak warm start,
#   Bambara, seed 0) 8 frozen layers lost 7-12 F1 (docs/findings.md, "Cached lower layers").
TASK_RECIPES: dict[str, TaskRecipe] = {
    "sequence": TaskRecipe(
        round_learning_rate=5e-6,
        head_learning_rate=5e-3,
        min_steps=10,
        warm_start_weight=0.5,
        frozen_layers=-4,
    ),
    "pair": TaskRecipe(
        round_learning_rate=5e-6,
        head_learning_rate=5e-3,
        min_steps=10,
        warm_start_weight=0.5,
        frozen_layers=-4,
    ),
    "token": TaskRecipe(
        round_learning_rate=1e-4,
        head_learning_rate=5e-3,
        min_steps=10,
        warm_learning_rate=1e-4,
        warm_epochs=4,
    ),
    "qa": TaskRecipe(head_learning_rate=5e-3, min_steps=10),
}


def task_recipe(task: str) -> TaskRecipe:
    """The measured defaults of a task family (see ``TASK_RECIPES``)."""
    return TASK_RECIPES.get(str(task), TaskRecipe())


def recipe_defaults_text(field: str, none: str = "none") -> str:
    """One field of ``TASK_RECIPES`` in words, tasks with the same value grouped.

    ``"4 for every task"`` or ``"5e-06 for sequence, pair; 0.0001 for token; 2e-05 for qa"``;
    a value of None reads ``none``. The CLI's help and the app's form state the defaults this
    way, so they cannot drift from the table.
    """
    groups: dict[str, list[str]] = {}
    for task, recipe in TASK_RECIPES.items():
        value = getattr(recipe, field)
        groups.setdefault(none if value is None else f"{value:g}", []).append(task)
    if len(groups) == 1:
        return f"{next(iter(groups))} for every task"
    return "; ".join(f"{value} for {', '.join(tasks)}" for value, tasks in groups.items())


def default_k(task: str) -> int:
    """knn-uncertainty's default first k for a task family."""
    return task_recipe(task).k


TRAINING_FIELDS = frozenset(field.name for field in fields(TrainingConfig))
WARM_START_FIELDS = frozenset({"warm_epochs", "warm_learning_rate", "warm_head_learning_rate"})
ENCODER_RATE = "body"  # a head rate of "body": the head trains at the encoder's rate


@dataclass(frozen=True)
class RoundRecipe:
    """Everything a project's (or a simulation's) training is decided by.

    Attributes
    ----------
    training : TrainingConfig
        Each round's fine-tuning.
    warm_start : TrainingConfig
        The warm start on the labeled seed set (no keep-best, no averaging, seed 0).
    k : int
        knn-uncertainty's first k.
    """

    training: TrainingConfig
    warm_start: TrainingConfig
    k: int


def round_recipe(
    task: str, overrides: Mapping[str, Any] | None = None, *, trained_warm_start: bool = True
) -> RoundRecipe:
    """The one function that decides a round's training settings, for the app and the CLI.

    Starts from :class:`TrainingConfig`'s defaults and the task's measured recipe
    (:data:`TASK_RECIPES`); every override that is not None replaces them.

    Parameters
    ----------
    task : str
        A :class:`~demux_core.data.examples.TaskType` value.
    overrides : mapping, optional
        :class:`TrainingConfig` field names, plus ``warm_epochs``, ``warm_learning_rate``,
        ``warm_head_learning_rate`` and ``k``. A head rate of ``"body"`` means the
        encoder's rate (``None`` in :class:`TrainingConfig`).
    trained_warm_start : bool
        Whether rounds start from a warm start trained on a labeled seed set. Without one,
        the recipe's warm-start weight is 0 (averaging with an untrained head would pull
        every round back towards random predictions); an explicit weight is kept.

    Raises
    ------
    ValueError
        For an override name that is none of the above.
    """
    recipe = task_recipe(task)
    given = {name: value for name, value in (overrides or {}).items() if value is not None}
    unknown = sorted(set(given) - TRAINING_FIELDS - WARM_START_FIELDS - {"k"})
    if unknown:
        raise ValueError(f"unknown training setting(s): {', '.join(unknown)}")
    defaults = {
        "learning_rate": recipe.round_learning_rate,
        "head_learning_rate": recipe.head_learning_rate,
        "min_steps": recipe.min_steps,
        "warm_start_weight": recipe.warm_start_weight if trained_warm_start else 0.0,
        "frozen_layers": recipe.frozen_layers,
    }
    chosen = {**defaults, **{name: v for name, v in given.items() if name in TRAINING_FIELDS}}
    chosen["head_learning_rate"] = _head_rate(chosen["head_learning_rate"])
    training = TrainingConfig(**chosen)
    warm = replace(
        training,
        epochs=given.get("warm_epochs", recipe.warm_epochs),
        learning_rate=given.get("warm_learning_rate", recipe.warm_learning_rate),
        head_learning_rate=_head_rate(
            given.get("warm_head_learning_rate", training.head_learning_rate)
        ),
        seed=0,
        keep_best=False,
        warm_start_weight=0.0,
        frozen_layers=0,
    )
    return RoundRecipe(training, warm, int(given.get("k", recipe.k)))


def _head_rate(value: Any) -> float | None:
    return None if value in (None, ENCODER_RATE) else float(value)
