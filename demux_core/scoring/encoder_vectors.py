"""The fixed encoder behind a project's distances: the pre-trained model, mean-pooled.

Why this encoder (docs/findings.md, "Fixed distances"): on MasakhaNER and SIB-200 the
pre-trained encoder's distances were level with each round's own within noise (-0.0 and +0.2
points at budgets up to 50), as were the warm start's; the pre-trained one exists before any
label, so a project's pool index is built once, when the project is made, and never goes
stale as rounds train.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from demux_core.config import ScoringConfig
from demux_core.data.examples import Example

INDEX_SCORING = ScoringConfig(embedding="mean")


def encoder_generation(
    model_spec: str | None, task: str, config: ScoringConfig = INDEX_SCORING
) -> str:
    """The fingerprint of the encoder and the settings the index vectors are taken with."""
    from demux_core.index.fingerprint import model_fingerprint
    from demux_core.models.source import resolve_model_source

    settings = {
        "task": str(task),
        "embedding": config.embedding,
        "embedding_layer": config.embedding_layer,
        "max_length": config.max_length,
        "qa_max_length": config.qa_max_length,
        "qa_stride": config.qa_stride,
        "recipe": 1,  # bump when the way vectors are taken changes
    }
    return model_fingerprint(resolve_model_source(model_spec), settings)


def encoder_embedder(
    model_spec: str | None,
    task: str,
    labels: Sequence[str],
    *,
    config: ScoringConfig = INDEX_SCORING,
    engine: str = "local",
    ray_address: str | None = None,
) -> Callable[[Sequence[Example]], np.ndarray]:
    """``embed(examples) -> (len, d) float32``: the pre-trained encoder's vectors.

    ``engine="ray"`` embeds every chunk on Ray actors that load the encoder themselves (a
    cluster when ``ray_address`` names one), the path the rounds' scoring takes there.
    The model is loaded on the first call.
    """
    loaded: dict[str, object] = {}

    def embed(examples: Sequence[Example]) -> np.ndarray:
        if engine == "ray":
            from demux_core.scale.engine import score_pool_with_engine
            from demux_core.scale.ray_scoring import ModelSource

            source = ModelSource(model_spec, str(task), tuple(labels))
            scores = score_pool_with_engine(None, None, list(examples), config, engine="ray",
                                            ray_address=ray_address, model_source=source)  # fmt: skip
            return scores.embeddings
        if "model" not in loaded:
            from demux_core.scale.ray_scoring import ModelSource

            loaded["model"], loaded["tokenizer"] = ModelSource(
                model_spec, str(task), tuple(labels)
            ).load()
        from demux_core.scoring.pool import score_pool

        scores = score_pool(
            loaded["model"], loaded["tokenizer"], list(examples), config, progress=False
        )
        return scores.embeddings

    return embed
