"""Tiny projects for service and app tests (no files, no model)."""

from __future__ import annotations

from pathlib import Path

from demux_core.data.examples import SequenceExample, TaskType, TokenExample
from service.demo import DemoPools
from service.projects import NewProject, ProjectSettings, create_project_from_pools

TOPICS = ("sports", "health", "politics")
NER_LABELS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC")
SOURCE_TEXTS = (
    "The match ended in a draw.",
    "<script>alert('x')</script> is not a topic",
    "مرحبا بكم في المباراة",
    "नमस्ते, आज का चुनाव",
    "ሰላም ለዓለም ጤና",
    "Der Minister sprach lange.",
    "שלום לכולם",
    "A new vaccine was approved.",
)


def sequence_pools(n_source: int = 8, n_target: int = 4) -> DemoPools:
    source = [
        SequenceExample(f"s{i}", ["eng", "xss", "arb", "hin", "amh", "deu", "heb", "eng"][i % 8],
                        SOURCE_TEXTS[i % len(SOURCE_TEXTS)], label=TOPICS[i % 3])
        for i in range(n_source)
    ]  # fmt: skip
    target = [SequenceExample(f"t{i}", "amh", f"ዒላማ {i}") for i in range(n_target)]
    test = [SequenceExample(f"x{i}", "amh", f"ፈተና {i}", label=TOPICS[i % 3]) for i in range(3)]
    seed = [SequenceExample(f"e{i}", "eng", f"seed {i}", label=TOPICS[i % 3]) for i in range(3)]
    return DemoPools(TOPICS, source, target, test, seed)


def token_pools(n_source: int = 6) -> DemoPools:
    source = [
        TokenExample(f"s{i}", "hau", ("Musa", "ya", "je", "Kano", f"<b>{i}</b>"), ("B-PER", "O", "O", "B-LOC", "O"))
        for i in range(n_source)
    ]  # fmt: skip
    target = [TokenExample(f"t{i}", "twi", ("Kofi", "kɔɔ", "Accra")) for i in range(3)]
    return DemoPools(NER_LABELS, source, target, [], [])


def make_project(
    name: str = "tiny",
    task: TaskType = TaskType.SEQUENCE,
    budget: int = 3,
    auto_finish: bool = False,
    strategy: str = "random",
    round_mode: str = "indexed",
    n_source: int = 8,
    overlap: float = 0.1,
) -> Path:
    """Create a tiny project under the current ``$DEMUX_HOME``; returns its path."""
    pools = sequence_pools(n_source) if task == TaskType.SEQUENCE else token_pools()
    settings = ProjectSettings(strategy=strategy, budget=budget, k=2, auto_finish=auto_finish,
                               round_mode=round_mode, overlap=overlap)  # fmt: skip
    return create_project_from_pools(NewProject(name, task, pools.labels, settings=settings), pools)
