"""The per-task rows of a scoring pass: one forward batch -> one result per input row.

:func:`demux_core.scoring.pool.score_pool` runs the model and groups these rows back into
examples (a QA example may span several windows). Lower uncertainty = more uncertain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from demux_core.data.examples import TaskType
from demux_core.models.features import NOT_CONTEXT, Feature

if TYPE_CHECKING:
    from demux_core.scoring.calibration import VectorScaling


@dataclass(frozen=True)
class RowResult:
    """One input row's embedding (d,) float32, margin-style uncertainty and prediction."""

    embedding: np.ndarray
    uncertainty: float
    prediction: object


def fallback_tag(labels: Sequence[str]) -> str:
    """The tag of a word the model never saw: ``"O"`` when it is a label, else the first."""
    return "O" if "O" in labels else labels[0]


def masked_aggregate(values: torch.Tensor, mask: torch.Tensor, how: str) -> torch.Tensor:
    """``min``/``max``/``mean`` of (b, L) float ``values`` over the True cells of (b, L) ``mask``."""
    if how == "min":
        return values.masked_fill(~mask, float("inf")).min(dim=1).values
    if how == "max":
        return values.masked_fill(~mask, float("-inf")).max(dim=1).values
    weights = mask.to(values.dtype)
    return (values * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def log_prob_margins(logits: torch.Tensor, scaling: VectorScaling | None = None) -> torch.Tensor:
    """``log p(top1) - log p(top2)`` over the last axis: (..., C) logits -> (...) float32.

    With ``scaling`` the probabilities are those of the calibrated logits
    ``scales * logits + biases`` (:mod:`demux_core.scoring.calibration`).
    Lower margin = more uncertain = picked first by the uncertainty strategies.
    """
    logits = logits.float()
    if scaling is not None:
        if logits.shape[-1] != len(scaling.scales):
            raise ValueError(
                f"the margin scaling has {len(scaling.scales)} classes; the model has "
                f"{logits.shape[-1]}"
            )
        scales, biases = (
            torch.tensor(values, dtype=logits.dtype, device=logits.device)
            for values in (scaling.scales, scaling.biases)
        )
        logits = logits * scales + biases
    top2 = torch.log_softmax(logits, dim=-1).topk(2, dim=-1).values
    return top2[..., 0] - top2[..., 1]


def score_token_rows(output, mask, features, scorer, config, _examples):
    word_mask = torch.zeros_like(mask, dtype=torch.bool)
    for row, feature in enumerate(features):
        if feature.word_positions:
            word_mask[row, list(feature.word_positions)] = True
        else:
            word_mask[row] = mask[row].bool()
    weights = word_mask.unsqueeze(-1).to(output.hidden.dtype)
    embeddings = (output.hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
    margins = log_prob_margins(output.logits, config.margin_scaling)
    margins = masked_aggregate(margins, word_mask, config.aggregation)
    best = output.logits.argmax(dim=-1).cpu().numpy()
    embeddings, margins = embeddings.float().cpu().numpy(), margins.cpu().numpy()
    results = []
    for row, feature in enumerate(features):
        tags = {
            w: scorer.labels[best[row, p]]
            for p, w in zip(feature.word_positions, feature.word_indices, strict=True)
        }
        results.append(RowResult(embeddings[row], float(margins[row]), tags))
    return results


def score_sequence_rows(output, mask, features, scorer, config, _examples):
    if config.embedding == "cls":
        embeddings = output.hidden[:, 0]
    else:
        weights = mask.unsqueeze(-1).to(output.hidden.dtype)
        embeddings = (output.hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
    margins = log_prob_margins(output.logits, config.margin_scaling).cpu().numpy()
    best = output.logits.argmax(dim=-1).cpu().numpy()
    embeddings = embeddings.float().cpu().numpy()
    return [
        RowResult(embeddings[row], float(margins[row]), scorer.labels[best[row]])
        for row in range(len(features))
    ]


def context_mask(features: Sequence[Feature], shape, device) -> torch.Tensor:
    context = torch.zeros(shape, dtype=torch.bool)
    for row, feature in enumerate(features):
        positions = [p for p, span in enumerate(feature.offsets) if span != NOT_CONTEXT]
        context[row, positions if positions else [0]] = True
    return context.to(device)


def score_qa_rows(output, mask, features, _scorer, config, examples):
    logits = output.logits.float().masked_fill(~mask.bool().unsqueeze(-1), float("-inf"))
    log_probs = torch.log_softmax(logits, dim=1)
    start, end = log_probs[..., 0], log_probs[..., 1]
    context = context_mask(features, mask.shape, mask.device)
    best_start = start.masked_fill(~context, float("-inf")).max(dim=1).values
    best_end = end.masked_fill(~context, float("-inf")).max(dim=1).values
    length = mask.shape[1]
    span = start.unsqueeze(2) + end.unsqueeze(1)
    band = torch.ones(length, length, dtype=torch.bool, device=mask.device).triu()
    band &= ~torch.ones_like(band).triu(config.qa_max_answer_tokens)
    allowed = band & context.unsqueeze(2) & context.unsqueeze(1)
    span_score, flat = span.masked_fill(~allowed, float("-inf")).flatten(1).max(dim=1)
    null_score = (start[:, 0] + end[:, 0]).cpu().numpy()
    cls = output.hidden[:, 0].float().cpu().numpy()
    uncertainty = (best_start + best_end).cpu().numpy()
    span_score, flat = span_score.cpu().numpy(), flat.cpu().numpy()
    results = []
    for row, feature in enumerate(features):
        first, last = divmod(int(flat[row]), length)
        char_start, char_end = feature.offsets[first][0], feature.offsets[last][1]
        answer = (float(span_score[row]), char_start, char_end, float(null_score[row]))
        results.append(RowResult(cls[row], float(uncertainty[row]), answer))
    return results


ROW_SCORERS = {
    TaskType.TOKEN: score_token_rows,
    TaskType.SEQUENCE: score_sequence_rows,
    TaskType.PAIR: score_sequence_rows,
    TaskType.QA: score_qa_rows,
}
