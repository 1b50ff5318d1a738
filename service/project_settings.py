"""A project's selection and round-training settings (stored in its ``settings`` dict)."""

from __future__ import annotations

import importlib.util
from dataclasses import asdict, dataclass
from typing import Any

from demux_core.cold_start import (
    COLD_START_STRATEGIES,
    DEFAULT_COLD_START,
    DEFAULT_COLD_START_LABELS,
)
from demux_core.config import check_warm_start_weight
from demux_core.recipes import DEFAULT_K, DEFAULT_STRATEGY, recipe_defaults_text, task_recipe
from demux_core.rounds.stability import DEFAULT_KAPPA, DEFAULT_WINDOW
from demux_core.selection.strategies import REGISTRY
from service.team.overlap import DEFAULT_OVERLAP, check_overlap

DEFAULT_MODEL_SPEC = "builtin:multilingual-e5-small"
STRATEGY_NAMES = tuple(REGISTRY)  # the registry's order: the default first


ENGINES = ("local", "ray")
ROUND_MODES = ("indexed", "full")


@dataclass(frozen=True)
class ProjectSettings:
    """Selection and round-training settings stored in the project's ``settings`` dict.

    Attributes
    ----------
    strategy : str
        A name of ``demux_core.selection.strategies.STRATEGIES``.
    budget : int
        Source points selected (to label) per round.
    k : int
        Neighbours per target point for the k-NN strategies.
    seed : int
        Seeds the random parts of selection and training.
    auto_finish : bool
        Queue the next round as soon as every selected point of a round is handled.
    engine : {"local", "ray"}
        Where rounds score the pools: in the round's process, or on Ray (the optional extra,
        ``pip install -r requirements-scale.txt``; see docs/scaling.md).
    keep_best : bool
        Hold out part of the seed pool and keep each round's best epoch on it, the starting
        weights included (``TrainingConfig.keep_best``; off: it blocked most rounds from
        learning in docs/research-log.md).
    min_train_labels : int
        Rounds train only once this many labels were acquired in all; before that they
        select with the model they have (``TrainingConfig.min_train_labels``; 0 = always).
    warm_start_weight : float
        In [0, 1): after each round, weights become ``w * warm start + (1 - w) * trained``
        (``TrainingConfig.warm_start_weight``; 0 = off; :meth:`for_task` gives the task's
        measured default). The warm start is then kept in the project's artifacts folder.
    frozen_layers : int or None
        Rounds freeze the embeddings and the bottom N encoder layers and train the rest from
        their cached output; negative N: all but the top -N (``TrainingConfig.frozen_layers``;
        None = the task's measured default, -4 for sentence tasks, 0 for token and QA).
    round_mode : {"indexed", "full"}
        ``"indexed"``: the project's pool index gives the distances and the map, and a round
        rescores only the rows its strategy reads (docs/benchmarks.md, "Rounds at any pool
        size"); ``"full"``: every round rescores every row with its own model and refits
        the map (the earlier behaviour, kept for comparison).
    baseline_twin : bool
        After each round, train a random twin in the background when the source pool has gold
        labels and there is a labeled test pool (:mod:`service.twin`); False: never.
    cold_start, cold_start_labels : str, int
        Without a labeled seed set, rounds pick with ``cold_start`` (a distance-only
        strategy; "off": the project's) until ``cold_start_labels`` labels exist
        (:mod:`demux_core.cold_start`).
    stop_kappa, stop_window : float, int
        The stopping signal: predictions have stabilised when the mean Cohen's kappa of the
        last ``stop_window`` rounds' target predictions with the round before reaches
        ``stop_kappa`` (:mod:`service.label_free`).
    overlap : float
        In [0, 1]: the share of each round's picks a second annotator also labels, for the
        Agreement view and the review queue (:mod:`service.team.overlap`); used only when at
        least two accounts may label.
    """

    strategy: str = DEFAULT_STRATEGY
    budget: int = 20
    k: int = DEFAULT_K
    seed: int = 0
    auto_finish: bool = True
    engine: str = "local"
    keep_best: bool = False
    min_train_labels: int = 0
    warm_start_weight: float = 0.0
    frozen_layers: int | None = None
    round_mode: str = "indexed"
    baseline_twin: bool = True
    cold_start: str = DEFAULT_COLD_START
    cold_start_labels: int = DEFAULT_COLD_START_LABELS
    stop_kappa: float = DEFAULT_KAPPA
    stop_window: int = DEFAULT_WINDOW
    overlap: float = DEFAULT_OVERLAP

    def __post_init__(self) -> None:
        if self.round_mode not in ROUND_MODES:
            raise ValueError(
                f"round_mode {self.round_mode!r} is not one of {', '.join(ROUND_MODES)}"
            )
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.cold_start not in COLD_START_STRATEGIES:
            raise ValueError(f"cold_start {self.cold_start!r} is not one of "
                             f"{', '.join(COLD_START_STRATEGIES)}")  # fmt: skip
        if self.engine == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError(
                "engine 'ray' needs the optional extra: pip install -r requirements-scale.txt"
            )
        if self.strategy not in STRATEGY_NAMES:
            raise ValueError(
                f"strategy {self.strategy!r} is not one of {', '.join(STRATEGY_NAMES)}"
            )
        if self.budget < 1:
            raise ValueError(f"budget must be >= 1, got {self.budget}")
        if self.k < 1:
            raise ValueError(f"k must be >= 1, got {self.k}")
        if self.min_train_labels < 0:
            raise ValueError(f"min_train_labels must be >= 0, got {self.min_train_labels}")
        check_warm_start_weight(self.warm_start_weight)
        check_overlap(self.overlap)

    @classmethod
    def for_task(
        cls,
        task: str,
        k: int | None = None,
        warm_start_weight: float | None = None,
        **values: Any,
    ) -> ProjectSettings:
        """Settings whose ``k`` and ``warm_start_weight``, when None, are the task's measured
        defaults (:func:`demux_core.recipes.task_recipe`)."""
        recipe = task_recipe(task)
        return cls(
            k=recipe.k if k is None else k,
            warm_start_weight=recipe.warm_start_weight
            if warm_start_weight is None
            else warm_start_weight,
            **values,
        )

    @staticmethod
    def default_k_text() -> str:
        """The task defaults of ``k`` in words, for the new-project form."""
        return recipe_defaults_text("k")

    @staticmethod
    def default_warm_start_weight_text() -> str:
        """The task defaults of ``warm_start_weight`` in words, for the new-project form."""
        return recipe_defaults_text("warm_start_weight")

    @staticmethod
    def default_frozen_layers_text() -> str:
        """The task defaults of ``frozen_layers`` in words, for the new-project form."""
        return recipe_defaults_text("frozen_layers")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProjectSettings:
        """Read the known keys of a stored settings dict (others are ignored)."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        return cls(**known)
