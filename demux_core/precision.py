"""Which float precision a machine runs the encoder fastest in, without losing the picks.

bf16 autocast pays only where the hardware multiplies bf16 natively: CUDA devices that
support it, and CPUs with AMX tiles (``amx_bf16``). Measured (docs/benchmarks.md, 2048 x 2048
matmul on 2 threads): Intel Xeon with AMX 1,027 GFLOP/s bf16 against 145 fp32; AMD Zen 3
(no bf16 at all) 0.89 against 72.7; an Intel Xeon with ``avx512_bf16`` but no AMX 148 against
237, so that flag alone is not enough and such CPUs stay in fp32.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

PRECISIONS = ("auto", "fp32", "bf16")
CPU_BF16_FLAGS = frozenset({"amx_bf16"})


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU feature flags (lower case) of the first processor; empty where unreadable."""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def native_bf16(device_type: str, flags: frozenset[str] | None = None) -> bool:
    """Whether bf16 matmuls are native (and fast) on ``device_type`` ("cpu" or "cuda")."""
    if device_type == "cuda":
        import torch

        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    flags = cpu_flags() if flags is None else flags
    return bool(CPU_BF16_FLAGS & flags)


def resolve_precision(precision: str, device_type: str, flags: frozenset[str] | None = None) -> str:
    """``"fp32"`` or ``"bf16"``: ``"auto"`` becomes bf16 exactly where it is native.

    Raises
    ------
    ValueError
        For a precision not in :data:`PRECISIONS`.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision != "auto":
        return precision
    return "bf16" if native_bf16(device_type, flags) else "fp32"


@contextlib.contextmanager
def autocast(precision: str, device_type: str) -> Iterator[str]:
    """Run the block under bf16 autocast when ``precision`` resolves to bf16; yields which."""
    import torch

    chosen = resolve_precision(precision, device_type)
    if chosen == "bf16":
        with torch.autocast(device_type, dtype=torch.bfloat16):
            yield chosen
    else:
        yield chosen
