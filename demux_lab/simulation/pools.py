"""The pools of a simulated experiment, read from labeled files.

Every file is read with :func:`demux_core.data.readers.read_examples`; a size draws a
deterministic sample. Parallel corpora (SIB-200 is Flores-200: the same ``index_id`` is
the same sentence translated) need one more rule, ``disjoint_ids``: otherwise every source
file holds translations of the same sentences, and of the seed set's, so the source pool
offers no content the warm start has not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from demux_core.data.examples import Example
from demux_core.data.readers import deterministic_sample, read_examples
from demux_core.errors import DemuxError
from demux_core.rounds.types import Pools


@dataclass(frozen=True)
class PoolFiles:
    """Where each pool comes from, and how many examples to sample (None = all)."""

    task: str
    source: tuple[Path, ...]
    target: Path
    test: Path | None = None
    seed: Path | None = None
    heldout: tuple[Path, ...] = ()
    source_per_language: int | None = None
    target_size: int | None = None
    test_size: int | None = None
    seed_size: int | None = None
    heldout_size: int | None = None
    disjoint_ids: bool = False


def prefixed(examples: Sequence[Example], pool: str) -> list[Example]:
    """Copies with pool/language-prefixed ids, unique across the files of a pool."""
    return [replace(e, id=f"{pool}:{e.language}:{e.id}") for e in examples]


def disjoint_samples(
    groups: Sequence[tuple[str, Sequence[Example], int | None]], taken: set[str]
) -> list[list[Example]]:
    """Deterministic samples, in order, none sharing an example id with an earlier one.

    Parameters
    ----------
    groups : sequence of (name, examples, size)
        ``size`` None takes every example whose id is still free.
    taken : set of str
        Ids no sample may use (e.g. the target pool's and the test set's); extended in place.

    Raises
    ------
    DemuxError
        When a group has fewer free ids than its size, naming the group.
    """
    samples = []
    for name, examples, size in groups:
        free = [e for e in examples if e.id not in taken]
        if size is not None and size > len(free):
            raise DemuxError(
                f"{name}: {size} examples asked, but only {len(free)} of its {len(examples)} "
                "have an id no earlier pool uses (--disjoint-ids); ask for fewer"
            )
        sample = free if size is None else deterministic_sample(free, size, seed=0)
        taken.update(e.id for e in sample)
        samples.append(sample)
    return samples


def load_pools(files: PoolFiles) -> Pools:
    """Read and sample every pool (see :class:`PoolFiles`)."""

    def read(path: Path) -> list[Example]:
        return read_examples(path, task=files.task, tag_scheme=None)

    def sampled(path: Path, size: int | None) -> list[Example]:
        examples = read(path)
        return examples if size is None else deterministic_sample(examples, size, seed=0)

    target = sampled(files.target, files.target_size)
    test = sampled(files.test, files.test_size) if files.test else []
    heldout = [e for path in files.heldout for e in sampled(path, files.heldout_size)]
    if files.disjoint_ids:
        groups = [(str(files.seed), read(files.seed), files.seed_size)] if files.seed else []
        groups += [(str(path), read(path), files.source_per_language) for path in files.source]
        taken = {e.id for e in target + test + heldout}
        samples = disjoint_samples(groups, taken)
        seed = samples.pop(0) if files.seed else []
        source = [e for sample in samples for e in sample]
    else:
        seed = sampled(files.seed, files.seed_size) if files.seed else []
        source = [e for path in files.source for e in sampled(path, files.source_per_language)]
    return Pools(
        source=prefixed(source, "src"),
        target=prefixed(target, "tgt"),
        test=prefixed(test, "test"),
        seed=prefixed(seed, "seed"),
        heldout=prefixed(heldout, "heldout"),
    )
