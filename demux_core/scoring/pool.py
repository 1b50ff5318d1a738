"""Score a pool with a task model: embeddings, uncertainty and predictions in one pass.

For every example, in INPUT order:

- token tasks: embedding = mean of the last layer over the first sub-word of each scored
  word; uncertainty = per-word margin ``log p(top1) - log p(top2)`` aggregated over the
  sentence (``min``/``mean``/``max``); prediction = one tag per word. Words without a
  sub-word in the input (cut by ``max_length`` or dropped by the tokenizer) get the
  fallback tag (``"O"`` when it is a label, else the first label) and no margin. A
  sentence with no scored word at all falls back to all its positions (special tokens).
- sequence/pair: embedding = ``<s>`` vector or mean of the last layer (``config.embedding``);
  uncertainty = margin of the class distribution; prediction = class label.
- QA: uncertainty = max start log-prob + max end log-prob over context positions (log-softmax
  over the window), the max over the example's windows; embedding = mean of the windows'
  ``<s>`` vectors; prediction = best valid span (start <= end, at most
  ``qa_max_answer_tokens``) as ``(answer_start, answer_text)``, or ``""`` when the
  no-answer score (``<s>`` as start and end) beats it.

``config.embedding_layer`` takes the embeddings from another encoder layer instead of the last.

Lower uncertainty = more uncertain. Rows are batched by length to cut padding.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from demux_core.config import ScoringConfig
from demux_core.data.examples import Example, TaskType, task_of
from demux_core.errors import SelectionError
from demux_core.models.features import Feature, encode_examples, pad_batch
from demux_core.models.layers import top
from demux_core.models.lower_cache import FrozenBottom, pad_states
from demux_core.models.task_model import TaskModel, TaskOutput
from demux_core.precision import autocast
from demux_core.runtime import configure_threads, pick_device
from demux_core.scoring.rows import ROW_SCORERS, RowResult, fallback_tag

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class PoolScores:
    """Per-example model outputs of one scoring pass, in input order.

    Attributes
    ----------
    embeddings : np.ndarray, shape (n, d), float32
    uncertainty : np.ndarray, shape (n,), float32
        Margin-style score; lower = more uncertain.
    predictions : list
        token: tuple of str per example (one tag per word); sequence/pair: str;
        qa: ``(answer_start, answer_text)`` or ``""``.
    model_version : str
    example_ids : tuple of str
    scored : np.ndarray of int64, or None
        The rows the model actually scored when a round rescored only some (the others
        hold :data:`UNSCORED` margins and ``None`` predictions); None = every row.
    """

    embeddings: np.ndarray
    uncertainty: np.ndarray
    predictions: list
    model_version: str
    example_ids: tuple[str, ...] = ()
    scored: np.ndarray | None = None


# The margin of a row a round did not score: finite (selection checks for NaN) and larger
# than any real margin, so "lower = more uncertain" never ranks it first.
UNSCORED = float(np.finfo(np.float32).max)


def score_pool(
    model: TaskModel,
    tokenizer,
    examples: Sequence[Example],
    config: ScoringConfig | None = None,
    *,
    progress: bool = True,
    progress_callback: ProgressCallback | None = None,
    frozen_bottom: FrozenBottom | None = None,
) -> PoolScores:
    """Run the model once over a pool.

    Parameters
    ----------
    model : TaskModel
    tokenizer : transformers fast tokenizer
    examples : sequence of Example
        All of the model's task family.
    config : ScoringConfig or None
    progress : bool
        Show a tqdm bar.
    progress_callback : callable(done, total) or None
        Called after each batch with rows done and total rows (QA rows are windows).
    frozen_bottom : FrozenBottom, optional
        Take the bottom layers' outputs from its cache (computing and keeping those it
        lacks) and run only the top layers; ignored with ``config.embedding_layer`` or
        int8 quantisation.

    Returns
    -------
    PoolScores
    """
    config = config or ScoringConfig()
    _check_examples(model, examples)
    check_embedding_layer(config.embedding_layer, model.num_layers, "the model's encoder")
    threads_before = torch.get_num_threads()
    configure_threads(config.num_threads)
    device = pick_device(config.device)
    scorer = _scoring_copy(model, config, device)
    was_training = scorer.training
    scorer.eval()
    try:
        if config.embedding_layer is not None or config.quantize_int8:
            frozen_bottom = None
        rows = _score_rows(scorer, tokenizer, examples, config, device, progress,
                           progress_callback, frozen_bottom)  # fmt: skip
    finally:
        if frozen_bottom is not None:
            frozen_bottom.cache.flush()
        scorer.train(was_training)
        torch.set_num_threads(threads_before)
    return _collect(model, examples, rows)


def _check_examples(model: TaskModel, examples: Sequence[Example]) -> None:
    if not examples:
        raise SelectionError("cannot score an empty pool")
    for index, example in enumerate(examples):
        if task_of(example) is not model.task:
            raise SelectionError(
                f"example {index} ({example.id!r}) is a {task_of(example)} example; "
                f"the model is a {model.task} model"
            )


def check_embedding_layer(layer: int | None, layers: int, owner: str) -> None:
    """Raise a SelectionError when ``layer`` is past the ``layers`` an encoder has.

    ``owner`` names the encoder in the message (e.g. a model id).
    """
    if layer is not None and layer > layers:
        raise SelectionError(
            f"embedding_layer={layer} does not exist: {owner} has {layers} layers "
            f"(choose 0..{layers})"
        )


def _scoring_copy(model: TaskModel, config: ScoringConfig, device: torch.device) -> TaskModel:
    if not config.quantize_int8:
        return model.to(device)
    if device.type != "cpu":
        raise ValueError("quantize_int8 works on CPU only; set device='cpu'")
    quantized = copy.deepcopy(model, memo=_shared_non_linear(model)).cpu().eval()
    return torch.ao.quantization.quantize_dynamic(
        quantized, {nn.Linear}, dtype=torch.qint8, inplace=True
    )


def _shared_non_linear(model: TaskModel) -> dict[int, nn.Parameter]:
    """Deep-copy memo sharing every CPU parameter outside nn.Linear layers.

    Only nn.Linear layers get quantised, so the copy can reuse the rest (the word-embedding
    matrix is most of a multilingual model: ~96M of e5-small's 118M parameters) instead of
    duplicating it. Parameters on another device are copied (the copy must live on CPU).
    """
    linear = {id(p) for m in model.modules() if isinstance(m, nn.Linear) for p in m.parameters()}
    return {id(p): p for p in model.parameters() if id(p) not in linear and p.device.type == "cpu"}


def _batches(features: list[Feature], config: ScoringConfig) -> list[list[int]]:
    order = list(range(len(features)))
    if config.sort_by_length:
        order.sort(key=lambda index: len(features[index].input_ids))
    return [order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)]


def _score_rows(scorer, tokenizer, examples, config, device, progress, progress_callback,
                frozen_bottom=None):  # fmt: skip
    task = scorer.task
    max_length = config.qa_max_length if task is TaskType.QA else config.max_length
    features = encode_examples(
        tokenizer, examples, task, max_length=max_length, qa_stride=config.qa_stride
    )
    rows: list[RowResult | None] = [None] * len(features)
    batches = _batches(features, config)
    done = 0
    with (
        torch.inference_mode(),
        tqdm(total=len(features), disable=not progress, desc="scoring") as bar,
    ):
        for batch in batches:
            batch_features = [features[i] for i in batch]
            ids, mask = (
                torch.from_numpy(a).to(device)
                for a in pad_batch(batch_features, tokenizer.pad_token_id)
            )
            with autocast(config.precision, device.type):
                if frozen_bottom is None:
                    output = scorer(ids, mask, hidden_layer=config.embedding_layer)
                else:
                    output = _top_from_cache(scorer, batch_features, mask, tokenizer.pad_token_id,
                                             frozen_bottom, device, config.precision)  # fmt: skip
            output = TaskOutput(output.hidden.float(), output.logits.float())
            results = ROW_SCORERS[task](output, mask, batch_features, scorer, config, examples)
            for index, result in zip(batch, results, strict=True):
                rows[index] = result
            done += len(batch)
            bar.update(len(batch))
            if progress_callback is not None:
                progress_callback(done, len(features))
    return list(zip(features, rows, strict=True))


def _top_from_cache(scorer, features, mask, pad_id, frozen_bottom, device, precision):
    """The batch's output through the top layers, from the cached bottom-layer states."""
    cached = frozen_bottom.cache.states(scorer, features, pad_id, frozen_bottom.layers, device,
                                        precision)  # fmt: skip
    hidden, _ = pad_states(cached, device)
    return top(scorer, hidden, mask, frozen_bottom.layers)


def _qa_prediction(example, answers: list[tuple[float, int, int, float]]):
    best = max(answers, key=lambda answer: answer[0])
    null = max(answer[3] for answer in answers)
    if null > best[0] or best[1] < 0:
        return ""
    return (best[1], example.context[best[1] : best[2]])


def _token_prediction(example, tags_by_word: dict[int, str], labels) -> tuple[str, ...]:
    fallback = fallback_tag(labels)
    return tuple(tags_by_word.get(word, fallback) for word in range(len(example.tokens)))


def _collect(model: TaskModel, examples: Sequence[Example], rows) -> PoolScores:
    grouped: list[list[RowResult]] = [[] for _ in examples]
    for feature, result in rows:
        grouped[feature.example_index].append(result)
    embeddings = np.stack([np.mean([r.embedding for r in group], axis=0) for group in grouped])
    uncertainty = np.array([max(r.uncertainty for r in group) for group in grouped])
    predictions = []
    for example, group in zip(examples, grouped, strict=True):
        if model.task is TaskType.TOKEN:
            predictions.append(_token_prediction(example, group[0].prediction, model.labels))
        elif model.task is TaskType.QA:
            predictions.append(_qa_prediction(example, [r.prediction for r in group]))
        else:
            predictions.append(group[0].prediction)
    return PoolScores(
        embeddings=embeddings.astype(np.float32),
        uncertainty=uncertainty.astype(np.float32),
        predictions=predictions,
        model_version=model.model_version,
        example_ids=tuple(example.id for example in examples),
    )
