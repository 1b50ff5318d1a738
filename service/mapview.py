"""Data for the map page: projected points with their metadata, and a target's neighbours.

The projection is computed by the worker after each rescoring; here it is only read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demux_core.data.examples import Example, QAExample, TokenExample
from storage import ProjectStore, StorageError

HOVER_CHARS = 160


def example_text(example: Example) -> str:
    """The example as one line of plain text (tokens joined, QA question first)."""
    if isinstance(example, TokenExample):
        return " ".join(example.tokens)
    if isinstance(example, QAExample):
        return f"{example.question} | {example.context}"
    return example.text if example.text_pair is None else f"{example.text} | {example.text_pair}"


def _picked_rounds(store: ProjectStore) -> dict[int, int]:
    """Example key -> number of the round that selected it."""
    picked: dict[int, int] = {}
    for current in store.rounds():
        for selection in store.selections(current.id):
            picked.setdefault(selection.example_key, current.number)
    return picked


def projected_model_versions(store: ProjectStore) -> list[str]:
    """Model versions that have a stored projection, oldest first."""
    versions = []
    for version in store.model_versions():
        try:
            store.load_projection(version)
        except StorageError:
            continue
        versions.append(version)
    return versions


def version_names(store: ProjectStore, versions: list[str]) -> dict[str, str]:
    """A reader's name for each model version: "round N", the round whose model it is (the
    version itself when no round has it, e.g. a model replaced by a rerun)."""
    names = {version: version for version in versions}
    for round_ in store.rounds():
        if round_.model_version in names:
            names[round_.model_version] = f"round {round_.number}"
    return names


def map_frame(store: ProjectStore, model_version: str) -> pd.DataFrame:
    """One row per projected point.

    Returns
    -------
    DataFrame
        Columns: ``key`` (int), ``pool``, ``position`` (int), ``language``, ``x``, ``y``
        (float), ``uncertainty`` (float), ``round_picked`` (int, 0 = never), ``text`` (str).
    """
    pool_positions, coords = store.load_projection(model_version)
    picked = _picked_rounds(store)
    frames = []
    for pool in ("source", "target"):
        rows = [i for i, (p, _) in enumerate(pool_positions) if p == pool]
        if not rows:
            continue
        examples = store.stored_examples(pool)
        uncertainty, _, _ = store.load_scores(model_version, pool)
        positions = np.array([pool_positions[i][1] for i in rows], dtype=np.int64)
        chosen = [examples[p] for p in positions]
        frames.append(
            pd.DataFrame(
                {
                    "key": [stored.key for stored in chosen],
                    "pool": pool,
                    "position": positions,
                    "language": [stored.example.language for stored in chosen],
                    "x": coords[rows, 0],
                    "y": coords[rows, 1],
                    "uncertainty": uncertainty[positions],
                    "round_picked": [picked.get(stored.key, 0) for stored in chosen],
                    "text": [example_text(stored.example) for stored in chosen],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass(frozen=True)
class Neighbours:
    """The ``k`` nearest source points of one target point, nearest first.

    ``frame`` columns: ``position``, ``key``, ``language``, ``distance``, ``uncertainty``,
    ``round_picked`` (0 = never), ``text``.
    """

    target_position: int
    frame: pd.DataFrame


def target_neighbours(
    store: ProjectStore, model_version: str, target_position: int, k: int
) -> Neighbours:
    """The ``k`` nearest source points (L2 on stored embeddings) of a target point."""
    from demux_core.selection.neighbors import knn

    source_unc, _, source_emb = store.load_scores(model_version, "source")
    _, _, target_emb = store.load_scores(model_version, "target")
    if not 0 <= target_position < target_emb.shape[0]:
        raise ValueError(
            f"target position {target_position} is outside 0..{target_emb.shape[0] - 1}"
        )
    k = min(k, source_emb.shape[0])
    distances, indices = knn(source_emb, target_emb[target_position : target_position + 1], k)
    positions = indices[0]
    examples = store.stored_examples("source")
    picked = _picked_rounds(store)
    chosen = [examples[int(p)] for p in positions]
    frame = pd.DataFrame(
        {
            "position": positions,
            "key": [stored.key for stored in chosen],
            "language": [stored.example.language for stored in chosen],
            "distance": distances[0],
            "uncertainty": source_unc[positions],
            "round_picked": [picked.get(stored.key, 0) for stored in chosen],
            "text": [example_text(stored.example) for stored in chosen],
        }
    )
    return Neighbours(target_position, frame)
