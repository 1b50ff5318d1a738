"""The settings, pools and outcome of one DeMuX round (no torch; :mod:`demux_core.rounds.round` runs it).

Kept apart from the round itself so that pool loading, argument parsing and the study tools
can build and read these without importing torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from demux_core.config import MARGIN_CALIBRATIONS, ScoringConfig, TrainingConfig
from demux_core.data.examples import Example
from demux_core.recipes import DEFAULT_K, DEFAULT_STRATEGY
from demux_core.rounds.projection import ProjectionConfig

if TYPE_CHECKING:
    from demux_core.models.task_model import TaskModel
    from demux_core.rounds.evaluation import Metrics
    from demux_core.rounds.projection import MapPoints
    from demux_core.scoring.pool import PoolScores
    from demux_core.selection.strategies import Selection


@dataclass(frozen=True)
class RoundConfig:
    """Everything that decides what one round does.

    Attributes
    ----------
    strategy : str
        A name from :data:`demux_core.selection.strategies.STRATEGIES`.
    budget : int
        Points selected per round.
    k : int
        Initial k of the k-NN strategies.
    seed : int
        Seeds selection (random strategies); training has its own seed in ``training``.
    scoring, training, projection : the stage settings.
    diagnostic_k : int
        Neighbours used by the uncertainty-correlation diagnostic.
    tag_scheme : {"bio", "pos"}
        Metric for token tasks.
    engine : {"local", "ray"}
        Where pools are scored: in this process, or on Ray (``pip install -r
        requirements-scale.txt``; see docs/scaling.md).
    ray_address : str or None
        Ray cluster address for ``engine="ray"`` (None = a local Ray instance).
    margin_calibration : {"none", "vector"}
        ``"vector"`` fits per-class scales and biases of the logits on ``Pools.heldout``
        after each round's training and ranks the pools by the calibrated margins
        (:mod:`demux_core.scoring.calibration`); token and sequence/pair tasks.
    """

    strategy: str = DEFAULT_STRATEGY
    budget: int = 50
    k: int = DEFAULT_K
    seed: int = 0
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    projection: ProjectionConfig | None = field(default_factory=ProjectionConfig)
    diagnostic_k: int = 10
    tag_scheme: str = "bio"
    engine: str = "local"
    ray_address: str | None = None
    margin_calibration: str = "none"

    def __post_init__(self) -> None:
        if self.engine not in ("local", "ray"):
            raise ValueError(f"engine must be 'local' or 'ray', got {self.engine!r}")
        if self.margin_calibration not in MARGIN_CALIBRATIONS:
            raise ValueError(
                f"margin_calibration={self.margin_calibration!r} is not one of "
                f"{', '.join(MARGIN_CALIBRATIONS)}"
            )
        if self.budget < 1:
            raise ValueError(f"budget must be >= 1, got {self.budget}")
        if self.k < 1:
            raise ValueError(f"k must be >= 1, got {self.k}")


@dataclass(frozen=True)
class Pools:
    """The examples of a project, in their stored order (position i = embedding row i).

    ``heldout`` is a small labeled set in a SOURCE language (never the target test set) used
    for model selection when ``config.training.keep_best`` is on.
    """

    source: Sequence[Example]
    target: Sequence[Example]
    test: Sequence[Example] = ()
    seed: Sequence[Example] = ()
    heldout: Sequence[Example] = ()

    @property
    def source_languages(self) -> np.ndarray:
        return np.array([example.language for example in self.source])


@dataclass(frozen=True)
class RoundOutcome:
    """What a round produced; every part carries ``model_version``.

    Attributes
    ----------
    model : TaskModel
        The model after this round's training (unchanged when there were no new labels).
    source_scores, target_scores : PoolScores or None
        None when the round was run with ``rescore=False``.
    test_metrics : Metrics or None
        On the test pool, when the project has one.
    selection : Selection or None
        The next batch (None when the pool has nothing left to pick).
    pearson : float or None
        Correlation of target uncertainty with its k nearest source points' mean uncertainty.
    map_points : MapPoints or None
    timings : dict of str to float
        Seconds per stage.
    trained : bool
        Whether this round trained (False without new labels, or below
        ``TrainingConfig.min_train_labels``: its labels are then still to train).
    """

    model: TaskModel
    source_scores: PoolScores | None
    target_scores: PoolScores | None
    test_metrics: Metrics | None
    selection: Selection | None
    pearson: float | None
    map_points: MapPoints | None
    timings: dict[str, float]
    trained: bool = False

    @property
    def model_version(self) -> str:
        return self.model.model_version
