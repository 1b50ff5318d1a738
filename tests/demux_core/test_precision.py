"""bf16 only where it is native: AMX CPUs (not avx512_bf16 alone) and CUDA with bf16."""

import pytest
import torch

from demux_core.precision import autocast, cpu_flags, native_bf16, resolve_precision


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 amx_bf16 amx_tile\n\nprocessor\t: 1\n")
    assert {"avx2", "amx_bf16"} <= cpu_flags(info)
    assert cpu_flags(tmp_path / "missing") == frozenset()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"avx2", "fma"}, "fp32"),  # AMD Zen 3: bf16 is 80x slower there
        ({"avx512f", "avx512_bf16"}, "fp32"),  # no AMX: measured 0.63x fp32
        ({"avx512_bf16", "amx_bf16", "amx_tile"}, "bf16"),
    ],
)
def test_auto_chooses_bf16_only_with_amx(flags, expected):
    assert native_bf16("cpu", frozenset(flags)) == (expected == "bf16")
    assert resolve_precision("auto", "cpu", frozenset(flags)) == expected
    assert resolve_precision("fp32", "cpu", frozenset(flags)) == "fp32"


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("fp16", "cpu")


def test_bf16_autocast_runs_matmuls_in_bf16():
    a = torch.randn(4, 4)
    with autocast("bf16", "cpu") as chosen:
        out = torch.nn.functional.linear(a, a)
    assert chosen == "bf16" and out.dtype == torch.bfloat16
    with autocast("fp32", "cpu") as chosen:
        assert chosen == "fp32" and torch.nn.functional.linear(a, a).dtype == torch.float32
