"""A multilingual encoder plus a small task head, saved as a self-describing folder.

Heads (none of them uses a pre-trained pooler, which the default model lacks):

- token: dropout + linear on every position, shape (b, L, C);
- sequence / pair: pooling ("mean" over non-padding positions, or "cls" = ``<s>``) of the
  last layer, dropout, linear, shape (b, C);
- qa: linear to start/end logits, shape (b, L, 2).

Checkpoint layout (``TaskModel.save``)::

    <dir>/encoder/            HF ``save_pretrained`` folder (+ tokenizer when given)
    <dir>/head.safetensors    head weights
    <dir>/task_model.json     task, labels, pooling, dropout, round id, model version...
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from demux_core.data.examples import TaskType
from demux_core.errors import ModelSpecError
from demux_core.models.source import load_encoder_from, resolve_model_source

ENCODER_DIR = "encoder"
HEAD_FILE = "head.safetensors"
META_FILE = "task_model.json"
FORMAT_VERSION = 1
POOLINGS: tuple[str, ...] = ("mean", "cls")


@dataclass(frozen=True)
class TaskOutput:
    """What one forward pass returns.

    Attributes
    ----------
    hidden : torch.Tensor, shape (b, L, d), float
        Last encoder layer (or the layer ``forward`` was asked for).
    logits : torch.Tensor
        token: (b, L, C); sequence/pair: (b, C); qa: (b, L, 2) (start, end).
    """

    hidden: torch.Tensor
    logits: torch.Tensor


def _pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    if pooling == "cls":
        return hidden[:, 0]
    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


class TaskModel(nn.Module):
    """Encoder + head for one task family.

    Parameters
    ----------
    encoder : transformers.PreTrainedModel
        Returns ``last_hidden_state`` (b, L, d).
    task : TaskType
    labels : sequence of str
        Class or tag names (at least two); ignored (empty) for QA.
    pooling : {"mean", "cls"}
        Sequence/pair pooling.
    dropout : float or None
        Head dropout; ``None`` = the encoder's ``hidden_dropout_prob`` (else 0.1).
    base_model : str
        Where the encoder came from (recorded in checkpoints).
    model_version : str
        Identifies the weights; changed by fine-tuning, recorded in scores and checkpoints.
    round_id : int or None
        Selection round of the last checkpoint.
    seed : int
        Seed of the head initialisation.
    """

    def __init__(
        self,
        encoder: nn.Module,
        task: TaskType | str,
        labels: Sequence[str] = (),
        pooling: str = "mean",
        dropout: float | None = None,
        *,
        base_model: str = "",
        model_version: str = "",
        round_id: int | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.task = TaskType(task)
        self.labels = tuple(labels) if self.task is not TaskType.QA else ()
        if self.task is not TaskType.QA and len(set(self.labels)) < 2:
            raise ModelSpecError(f"a {self.task} model needs at least two distinct labels")
        if len(set(self.labels)) != len(self.labels):
            raise ModelSpecError(f"duplicate labels in {self.labels}")
        if pooling not in POOLINGS:
            raise ModelSpecError(f"pooling={pooling!r} is not one of {', '.join(POOLINGS)}")
        self.pooling = pooling
        self.encoder = encoder
        config = encoder.config
        self.dropout_rate = float(
            dropout if dropout is not None else getattr(config, "hidden_dropout_prob", 0.1)
        )
        self.dropout = nn.Dropout(self.dropout_rate)
        outputs = 2 if self.task is TaskType.QA else len(self.labels)
        self.head = nn.Linear(config.hidden_size, outputs)
        self._init_head(seed, getattr(config, "initializer_range", 0.02))
        self.base_model = base_model
        self.model_version = model_version or f"{Path(base_model).name or 'model'}:base"
        self.round_id = round_id

    def _init_head(self, seed: int, std: float) -> None:
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            weight = torch.randn(self.head.weight.shape, generator=generator) * std
            self.head.weight.copy_(weight)
            self.head.bias.zero_()

    @property
    def hidden_size(self) -> int:
        return int(self.encoder.config.hidden_size)

    @property
    def label_to_id(self) -> dict[str, int]:
        return {label: index for index, label in enumerate(self.labels)}

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def num_layers(self) -> int:
        """Transformer layers of the encoder (``hidden_layer`` may be 0 to this)."""
        return int(self.encoder.config.num_hidden_layers)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        hidden_layer: int | None = None,
    ) -> TaskOutput:
        """Run encoder and head.

        Parameters
        ----------
        input_ids, attention_mask : torch.Tensor, shape (b, L), int64
        hidden_layer : int or None
            Which layer ``TaskOutput.hidden`` holds: None = the last, 0 = the word-embedding
            output, i = the i-th transformer layer. The logits always read the last layer.

        Returns
        -------
        TaskOutput
        """
        if hidden_layer is not None and not 0 <= hidden_layer <= self.num_layers:
            raise ValueError(
                f"hidden_layer={hidden_layer} is outside 0..{self.num_layers} "
                f"(the encoder has {self.num_layers} layers)"
            )
        output = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            output_hidden_states=hidden_layer is not None,
        )
        last = output.last_hidden_state
        hidden = last if hidden_layer is None else output.hidden_states[hidden_layer]
        if self.task in (TaskType.SEQUENCE, TaskType.PAIR):
            features = _pool(last, attention_mask, self.pooling)
        else:
            features = last
        return TaskOutput(hidden=hidden, logits=self.head(self.dropout(features)))

    def freeze_word_embeddings(self, frozen: bool = True) -> int:
        """Stop (or restart) training the word-embedding matrix.

        Returns
        -------
        int
            Number of parameters in that matrix.
        """
        weight = self.encoder.get_input_embeddings().weight
        weight.requires_grad_(not frozen)
        return weight.numel()

    @classmethod
    def from_pretrained(
        cls,
        spec: str | Path | None,
        task: TaskType | str,
        labels: Sequence[str] = (),
        pooling: str = "mean",
        *,
        dropout: float | None = None,
        seed: int = 0,
    ) -> TaskModel:
        """A fresh head on a pre-trained encoder (spec, folder, or ``None`` = default).

        A folder written by :meth:`save` is loaded with :meth:`load` instead, when its
        task matches (its head and labels are then kept).
        """
        if spec is not None and (Path(spec) / META_FILE).is_file():
            return cls.load(spec)
        source = resolve_model_source(spec)
        encoder = load_encoder_from(source)
        return cls(encoder, task, labels, pooling, dropout, base_model=source, seed=seed)

    def save(self, directory: str | Path, *, round_id: int | None = None, tokenizer=None) -> Path:
        """Write a checkpoint folder that :meth:`load` restores exactly.

        Parameters
        ----------
        directory : str or Path
            Created if needed; existing checkpoint files are overwritten.
        round_id : int or None
            Recorded (and set on the model) when given.
        tokenizer : optional
            Saved into ``<directory>/encoder`` so the folder is self-contained.
        """
        directory = Path(directory)
        if round_id is not None:
            self.round_id = round_id
        self.encoder.save_pretrained(directory / ENCODER_DIR)
        if tokenizer is not None:
            tokenizer.save_pretrained(directory / ENCODER_DIR)
        head = {
            name: value.detach().cpu().contiguous()
            for name, value in self.head.state_dict().items()
        }
        save_file(head, str(directory / HEAD_FILE))
        (directory / META_FILE).write_text(json.dumps(self.metadata(), indent=2) + "\n")
        return directory

    def metadata(self) -> dict:
        """The json description of this model written next to its weights."""
        return {
            "format_version": FORMAT_VERSION,
            "task": str(self.task),
            "labels": list(self.labels),
            "pooling": self.pooling,
            "dropout": self.dropout_rate,
            "base_model": self.base_model,
            "model_version": self.model_version,
            "round_id": self.round_id,
            "word_embeddings_frozen": not self.encoder.get_input_embeddings().weight.requires_grad,
        }

    @classmethod
    def load(cls, directory: str | Path) -> TaskModel:
        """Restore a model written by :meth:`save` (on CPU)."""
        directory = Path(directory)
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise ModelSpecError(f"{directory}: not a task-model checkpoint (no {META_FILE})")
        try:
            meta = json.loads(meta_path.read_text())
            task, labels = meta["task"], meta["labels"]
        except (json.JSONDecodeError, KeyError) as error:
            raise ModelSpecError(
                f"{meta_path}: unreadable checkpoint description: {error}"
            ) from error
        model = cls(
            load_encoder_from(str(directory / ENCODER_DIR)),
            task,
            labels,
            meta.get("pooling", "mean"),
            meta.get("dropout"),
            base_model=meta.get("base_model", ""),
            model_version=meta.get("model_version", ""),
            round_id=meta.get("round_id"),
        )
        model.head.load_state_dict(load_file(str(directory / HEAD_FILE)))
        model.freeze_word_embeddings(bool(meta.get("word_embeddings_frozen", False)))
        return model


def load_checkpoint_tokenizer(directory: str | Path):
    """The tokenizer saved with a checkpoint (``TaskModel.save(..., tokenizer=...)``)."""
    from transformers import AutoTokenizer

    path = Path(directory) / ENCODER_DIR
    try:
        return AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as error:
        raise ModelSpecError(f"{path}: no tokenizer saved with this checkpoint: {error}") from error
