"""The settings of a simulated experiment (:class:`SimulationConfig`), without torch.

Kept apart from :mod:`demux_lab.simulation.run` so that the command line, the warm-start cache
key and the written ``settings.json`` read the settings without loading the model code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from demux_core.cold_start import DEFAULT_COLD_START_LABELS
from demux_core.config import RECIPES, HeadConfig
from demux_core.rounds.types import RoundConfig

DISTANCE_ENCODERS: tuple[str, ...] = ("current", "warm-start", "pretrained")


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
    budgets : tuple of int
        Cumulative labels after each round (e.g. ``(10, 50, 100)``: rounds pick 10, 40, 50);
        empty = ``rounds`` rounds of ``round.budget`` each.
    warm_start : RoundConfig's training settings for the warm start on the seed set.
    pooling : {"mean", "cls"}
        Sequence-head pooling.
    recipe : {"fine-tune", "frozen-head"}
        ``fine-tune``: every round fine-tunes the whole model (``round.training``).
        ``frozen-head``: the warm-started encoder is frozen and every round refits the linear
        head on the seed set plus all labels (``head``); see :mod:`demux_lab.frozen_head.simulation`.
    tune_encoder_on_seed : bool
        Fine-tune the encoder on the seed set for the warm start (else the rounds start from
        the pre-trained encoder with a fresh head; the frozen-head recipe then fits its head
        on pre-trained features).
    head : HeadConfig
        Head settings of the ``frozen-head`` recipe.
    target_fraction : float
        Share of the target pool each seed sees (a seeded sample; 1.0 = all of it), so that
        seeds also vary the deterministic strategies' input. ``frozen-head`` recipe only.
    distance_encoder : {"current", "warm-start", "pretrained"}
        Whose embeddings the distances use: each round's model, the warm start's (scored
        once, kept fixed), or the pre-trained encoder's (scored once, kept fixed). Margins
        always come from each round's model. ``fine-tune`` recipe only.
    rescore : {"all", "selected"}
        ``"selected"``: with fixed distances, each round scores only the rows its strategy
        reads (the app's indexed round, :mod:`demux_core.rounds.indexed`); ``"all"``: every row.
    cold_start, cold_start_labels : str, int
        Without a seed set, a strategy that reads margins picks with ``cold_start`` until
        ``cold_start_labels`` labels exist (:func:`demux_core.cold_start.round_strategy`, as
        the app); ``"off"``: never.
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
    budgets: tuple[int, ...] = ()
    recipe: str = "fine-tune"
    tune_encoder_on_seed: bool = True
    head: HeadConfig = field(default_factory=HeadConfig)
    target_fraction: float = 1.0
    distance_encoder: str = "current"
    rescore: str = "all"
    cold_start: str = "off"
    cold_start_labels: int = DEFAULT_COLD_START_LABELS

    def __post_init__(self) -> None:
        if self.rescore not in ("all", "selected"):
            raise ValueError(f"rescore={self.rescore!r} is not 'all' or 'selected'")
        if self.rescore == "selected" and self.distance_encoder == "current":
            raise ValueError(
                "rescore='selected' needs fixed distances: --distance-encoder warm-start or "
                "pretrained (each round's own embeddings would need every row scored)"
            )
        if self.distance_encoder not in DISTANCE_ENCODERS:
            raise ValueError(
                f"distance_encoder={self.distance_encoder!r} is not one of "
                f"{', '.join(DISTANCE_ENCODERS)}"
            )
        if self.distance_encoder != "current" and self.recipe != "fine-tune":
            raise ValueError(
                f"distance_encoder={self.distance_encoder!r} needs the fine-tune recipe "
                f"(the {self.recipe} recipe keeps the warm start's encoder anyway)"
            )
        if self.round.margin_calibration != "none" and self.recipe != "fine-tune":
            raise ValueError(
                f"margin_calibration={self.round.margin_calibration!r} needs the fine-tune "
                f"recipe (the {self.recipe} recipe ranks by its own head's margins)"
            )
        if self.round.training.warm_start_weight > 0 and self.recipe != "fine-tune":
            raise ValueError(
                "warm_start_weight > 0 needs the fine-tune recipe "
                f"(the {self.recipe} recipe does not fine-tune the encoder)"
            )
        if self.budgets and (
            self.budgets[0] < 1
            or any(b <= a for a, b in zip(self.budgets, self.budgets[1:], strict=False))
        ):
            raise ValueError(f"budgets must be increasing and >= 1, got {self.budgets}")
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe={self.recipe!r} is not one of {', '.join(RECIPES)}")
        if not 0 < self.target_fraction <= 1:
            raise ValueError(f"target_fraction must be in (0, 1], got {self.target_fraction}")
        if self.target_fraction < 1 and self.recipe != "frozen-head":
            raise ValueError(
                "target_fraction < 1 is implemented for the frozen-head recipe only "
                f"(got {self.target_fraction} with recipe {self.recipe!r})"
            )

    @property
    def schedule(self) -> tuple[int, ...]:
        """Cumulative labels after each round."""
        if self.budgets:
            return self.budgets
        return tuple(self.round.budget * r for r in range(1, self.rounds + 1))

    @property
    def increments(self) -> tuple[int, ...]:
        """New labels picked in each round."""
        schedule = self.schedule
        return (schedule[0],) + tuple(b - a for a, b in zip(schedule, schedule[1:], strict=False))


def describe(config: SimulationConfig) -> dict:
    """The experiment's settings as JSON-ready data (written next to the results).

    ``config`` holds the settings as given, whose ``round`` is the template every run
    starts from; ``used`` says what the runs actually used: the labels after each round and
    the new labels per round (``--budgets`` or ``--rounds`` x ``--budget``), and the
    selection and training seed of each (strategy, seed) run and of the warm start.
    """
    described = json.loads(json.dumps(asdict(config), default=str))
    described["used"] = {
        "rounds": len(config.schedule),
        "labels_after_round": list(config.schedule),
        "new_labels_per_round": list(config.increments),
        "warm_start_seed": config.warm_start.training.seed,
        "runs": [
            {"strategy": strategy, "seed": seed, "selection_seed": seed, "training_seed": seed}
            for seed in config.seeds
            for strategy in config.strategies
        ],
    }
    return described
