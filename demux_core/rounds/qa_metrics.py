"""Answer-text metrics for extractive QA: exact match and token F1, safe for any script.

The normalisation is multilingual: Unicode NFKC, casefold, punctuation (category ``P*``)
removed, whitespace collapsed. Unlike SQuAD, English articles are not removed and non-ASCII
text is kept. Tokens are whitespace separated, so for scripts without spaces (Chinese,
Japanese, Thai, Myanmar) F1 falls back to nearly exact match. ``""`` means "no answer": two
empty answers match (EM = F1 = 1).
"""

from __future__ import annotations

import unicodedata
from collections import Counter


def normalize_answer(text: str) -> str:
    """NFKC, casefold, drop Unicode punctuation, collapse whitespace (keeps non-ASCII)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())


def qa_exact_match(predicted: str, gold: str) -> float:
    """1.0 when the normalised answers are equal, else 0.0."""
    return float(normalize_answer(predicted) == normalize_answer(gold))


def qa_token_f1(predicted: str, gold: str) -> float:
    """SQuAD-style token-overlap F1 of the normalised answers; two empty answers score 1."""
    predicted_tokens = normalize_answer(predicted).split()
    gold_tokens = normalize_answer(gold).split()
    if not predicted_tokens or not gold_tokens:
        return float(predicted_tokens == gold_tokens)
    overlap = sum((Counter(predicted_tokens) & Counter(gold_tokens)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(predicted_tokens), overlap / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)
