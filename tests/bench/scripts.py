"""Helpers for testing the bench scripts: load one by file name, build pool scores."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from demux_core.scoring.pool import PoolScores

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_script(name: str):
    """The bench script ``bench/<name>.py`` as a module (``bench`` is a package)."""
    return importlib.import_module(f"bench.{name}")


def pool_scores(embeddings, uncertainty) -> PoolScores:
    """PoolScores of (n, d) ``embeddings`` and (n,) margins, no predictions."""
    n = len(embeddings)
    return PoolScores(
        np.asarray(embeddings, np.float32), np.asarray(uncertainty, np.float32), [None] * n, "v"
    )
