"""Settings of scoring and fine-tuning, as frozen dataclasses passed explicitly.

Other settings (e.g. a ``RoundConfig`` for the selection loop) may be added here later;
every class validates its fields in ``__post_init__`` so a bad value fails where it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from demux_core.precision import PRECISIONS

if TYPE_CHECKING:
    from demux_core.scoring.calibration import VectorScaling

Aggregation = Literal["min", "mean", "max"]
EmbeddingKind = Literal["cls", "mean"]
InitFrom = Literal["previous", "warm_start"]

AGGREGATIONS: tuple[str, ...] = ("min", "mean", "max")
EMBEDDING_KINDS: tuple[str, ...] = ("cls", "mean")
INIT_FROM_CHOICES: tuple[str, ...] = ("previous", "warm_start")
MARGIN_CALIBRATIONS: tuple[str, ...] = ("none", "vector")


def _check_choice(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{field}={value!r} is not one of {', '.join(choices)}")


def check_warm_start_weight(weight: float) -> None:
    """Raise ValueError unless ``weight`` (the warm start's share when averaging) is in [0, 1)."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"warm_start_weight must be in [0, 1), got {weight}")


def _check_positive(field: str, value: float) -> None:
    if value <= 0:
        raise ValueError(f"{field} must be > 0, got {value!r}")


@dataclass(frozen=True)
class ScoringConfig:
    """How :func:`demux_core.scoring.pool.score_pool` runs the model over a pool.

    Attributes
    ----------
    batch_size : int
        Examples (QA: windows) per forward pass.
    max_length : int
        Sub-word cap for token and sequence/pair tasks (words past it are "truncated").
    qa_max_length : int
        Window length for QA (question + context).
    qa_stride : int
        Sub-words shared by two consecutive QA windows.
    qa_max_answer_tokens : int
        Longest answer span (in sub-words) a QA prediction may have.
    aggregation : {"min", "mean", "max"}
        How per-word margins of a token task become one number per sentence.
    embedding : {"cls", "mean"}
        Sequence/pair embedding: the ``<s>`` vector or the mean over the tokens, both of
        ``embedding_layer``.
    embedding_layer : int or None
        Encoder layer the embeddings (distances) come from: ``None`` = the last, 0 = the
        word-embedding output, ``i`` = the output of the i-th transformer layer. Margins
        and predictions always come from the last layer.
    sort_by_length : bool
        Batch examples of similar length together (less padding); results keep input order.
    device : str
        ``"auto"`` (CUDA when present, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
    num_threads : int or None
        ``torch.set_num_threads`` for the run; ``None`` leaves the process setting alone.
    quantize_int8 : bool
        Score with a dynamically int8-quantised copy of the model (CPU only; the
        training model itself is never quantised).
    precision : {"auto", "fp32", "bf16"}
        ``"auto"``: bf16 autocast where the hardware multiplies bf16 natively (CUDA with
        bf16, CPUs with AMX), fp32 elsewhere (:mod:`demux_core.precision`).
    margin_scaling : VectorScaling or None
        Per-class scales and biases applied to the logits before margins are taken
        (token and sequence/pair tasks; fitted per round on a held-out set when
        ``RoundConfig.margin_calibration == "vector"``). Predictions keep the raw logits.
    """

    batch_size: int = 32
    max_length: int = 128
    qa_max_length: int = 256
    qa_stride: int = 64
    qa_max_answer_tokens: int = 30
    aggregation: Aggregation = "min"
    embedding: EmbeddingKind = "cls"
    embedding_layer: int | None = None
    sort_by_length: bool = True
    device: str = "auto"
    num_threads: int | None = None
    quantize_int8: bool = False
    margin_scaling: VectorScaling | None = None
    precision: str = "auto"

    def __post_init__(self) -> None:
        _check_choice("aggregation", self.aggregation, AGGREGATIONS)
        _check_choice("embedding", self.embedding, EMBEDDING_KINDS)
        _check_choice("precision", self.precision, PRECISIONS)
        for field in ("batch_size", "max_length", "qa_max_length", "qa_max_answer_tokens"):
            _check_positive(field, getattr(self, field))
        if not 0 <= self.qa_stride < self.qa_max_length // 2:
            raise ValueError(
                f"qa_stride must be in [0, qa_max_length/2), got {self.qa_stride} "
                f"for qa_max_length={self.qa_max_length}"
            )
        if self.num_threads is not None:
            _check_positive("num_threads", self.num_threads)
        if self.embedding_layer is not None and self.embedding_layer < 0:
            raise ValueError(f"embedding_layer must be >= 0 or None, got {self.embedding_layer}")


@dataclass(frozen=True)
class TrainingConfig:
    """How :func:`demux_core.training.fine_tune.fine_tune` trains a task model.

    Attributes
    ----------
    epochs : int
    learning_rate : float
    batch_size : int
    weight_decay : float
        AdamW weight decay (not applied to biases and LayerNorm weights).
    warmup_ratio : float
        Share of the steps with a linearly rising learning rate; it then decays linearly to 0.
    max_grad_norm : float
        Gradient clipping threshold (global L2 norm).
    max_length : int
        Sub-word cap for token and sequence/pair tasks.
    qa_max_length, qa_stride : int
        QA window length and overlap.
    freeze_word_embeddings : bool
        Keep the word-embedding matrix fixed (most of a multilingual model's parameters).
    seed : int
        Seeds python, numpy and torch, and the batch shuffling.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``...
    num_threads : int or None
        ``torch.set_num_threads`` for the run; ``None`` leaves it alone.
    init_from : {"previous", "warm_start"}
        Where a round starts: the last round's checkpoint, trained on the new labels only
        (the paper's default), or the warm-start checkpoint, retrained on all labels so far.
    seed_replay : bool
        Mix the labeled seed (warm-start) set into every round's training examples.
    seed_replay_ratio : float
        With ``seed_replay``: replay ``ceil(ratio * n_labels)`` seed examples (a seeded sample)
        instead of the whole seed set; 0 replays all of it.
    seed_replay_min : int
        With a ``seed_replay_ratio``: replay at least this many seed examples (0 = no floor).
        A round of a few labels then trains on enough distinct examples not to overfit them:
        at 10 labels this floor turned a 7-F1 loss on NER into none (``docs/research-log.md``,
        "The first round").
    min_steps : int
        Train for more epochs when ``epochs`` would give fewer optimisation steps than this
        (ten labels are one batch: three epochs would be three steps).
    head_learning_rate : float or None
        Learning rate of the freshly initialised task head (None = ``learning_rate``). A new
        head on small features learns too slowly at an encoder's rate: with one rate for
        both, a token head collapses to predicting "O" everywhere.
    keep_best : bool
        With a held-out labeled set, evaluate before training and after every epoch and keep
        the best weights (the starting model included, so a round never makes the held-out
        score worse). Without one it does nothing.
    precision : {"auto", "fp32", "bf16"}
        ``"auto"``: bf16 autocast where it is native (:mod:`demux_core.precision`).
    frozen_layers : int
        Freeze the word embeddings and the bottom N transformer layers, run them once per
        training example and train only the top layers and the head from their cached
        output (:mod:`demux_core.training.cached`; 0 = train every layer). A negative N
        freezes all but the top ``-N`` layers (none when the encoder has no more).
    min_train_labels : int
        A round trains only once at least this many labels were acquired in all (this
        round's and earlier ones); before that it scores and selects with the model it has,
        and its labels train with the first round that reaches the count (0 = every round
        with new labels trains).
    warm_start_weight : float
        In [0, 1). After each round's training, replace every weight ``p`` by
        ``w * p_warm + (1 - w) * p`` where ``p_warm`` is the warm start's (weight-space
        averaging towards the model the rounds started from; 0 = off). Needs the warm-start
        checkpoint.

    The defaults are the recipe measured best in ``docs/research-log.md`` ("Rounds that gain"):
    continue from the last checkpoint, replay twice as many seed examples as new labels but at
    least 80, 3 epochs at 2e-5. Each task family's measured rates, steps and k are in
    :data:`demux_core.recipes.TASK_RECIPES` (:func:`~demux_core.recipes.task_recipe`), which
    the CLI and the app apply.
    ``keep_best`` on a source-language held-out set is off: it blocked most rounds from
    learning and cost 2.8 points (paired 95 % CI [1.0, 5.1]) in the ablation.
    """

    epochs: int = 3
    learning_rate: float = 2e-5
    batch_size: int = 16
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    max_length: int = 128
    qa_max_length: int = 256
    qa_stride: int = 64
    freeze_word_embeddings: bool = True
    seed: int = 13
    device: str = "auto"
    num_threads: int | None = None
    init_from: InitFrom = "previous"
    seed_replay: bool = True
    seed_replay_ratio: float = 2.0
    seed_replay_min: int = 80
    min_steps: int = 0
    keep_best: bool = False
    head_learning_rate: float | None = None
    warm_start_weight: float = 0.0
    min_train_labels: int = 0
    precision: str = "auto"
    frozen_layers: int = 0

    def __post_init__(self) -> None:
        _check_choice("init_from", self.init_from, INIT_FROM_CHOICES)
        _check_choice("precision", self.precision, PRECISIONS)
        check_warm_start_weight(self.warm_start_weight)
        if self.head_learning_rate is not None:
            _check_positive("head_learning_rate", self.head_learning_rate)
        if min(self.seed_replay_ratio, self.seed_replay_min, self.min_steps) < 0:
            raise ValueError("seed_replay_ratio, seed_replay_min and min_steps must be >= 0")
        if self.min_train_labels < 0:
            raise ValueError(f"min_train_labels must be >= 0, got {self.min_train_labels}")
        for field in ("epochs", "learning_rate", "batch_size", "max_length", "qa_max_length"):
            _check_positive(field, getattr(self, field))
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.weight_decay < 0 or self.max_grad_norm <= 0:
            raise ValueError("weight_decay must be >= 0 and max_grad_norm > 0")
        if not 0 <= self.qa_stride < self.qa_max_length // 2:
            raise ValueError(f"qa_stride must be in [0, qa_max_length/2), got {self.qa_stride}")


RECIPES: tuple[str, ...] = ("frozen-head", "fine-tune")


@dataclass(frozen=True)
class HeadConfig:
    """How the frozen-encoder recipe refits the task head each round.

    The encoder is fine-tuned once on the seed set and then frozen; each round fits a
    multinomial logistic-regression head (L2-regularised, full-batch L-BFGS) from scratch
    on the seed set plus every label acquired so far. The fit is convex, so "continue" and
    "retrain" give the same head and nothing learned from the seed set is lost.

    Attributes
    ----------
    regularization : float
        Inverse L2 strength (scikit-learn's ``C``) on standardised features.
    pick_weight : float
        Loss weight of one acquired label relative to one seed example (token tasks: per
        word). Above 1 lets a few target-like labels count against a large seed set.
    class_balance : bool
        Weight classes inversely to their frequency in the training rows.
    max_iter : int
        L-BFGS iterations.
    """

    regularization: float = 1.0
    pick_weight: float = 1.0
    class_balance: bool = False
    max_iter: int = 300

    def __post_init__(self) -> None:
        _check_positive("regularization", self.regularization)
        _check_positive("pick_weight", self.pick_weight)
        _check_positive("max_iter", self.max_iter)
