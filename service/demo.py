"""One-click demo projects on SIB-200 (topics) and MasakhaNER 2.0 (NER).

The data is read from ``$DEMUX_DATA`` or ``../shared/data`` (see
:func:`demux_core.data.readers.shared_data_dir`), else from the download cache filled by
:mod:`service.demo_download`. Every sample is deterministic (fixed seeds).

``$DEMUX_DEMO_SOURCE_PER_LANGUAGE`` (default 200) sets how many sentences each source
language gives to a demo's source pool; a browser test sets it low so a real round is quick.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from demux_core.data.examples import Example, TaskType

SIB200 = "sib200"
MASAKHANER = "masakhaner2"


@dataclass(frozen=True)
class DemoSpec:
    """What a demo project holds.

    Attributes
    ----------
    key : {"sib200", "masakhaner2"}
        The dataset folder under the data root.
    title : str
        Shown on the button.
    task : TaskType
    source_languages : tuple of str
        Their train splits (sampled) form the source pool.
    per_source_language : int
        Sentences sampled from each source language.
    target_language : str
        Its ``target_split`` is the (unlabeled) target pool and its test split the test pool.
    target_size, test_size : int
        Caps on the target and test pools (0 = all).
    seed_language : str
        A labeled seed set sampled from its train split warm-starts the model.
    seed_size : int
    budget : int
        Points selected per round.
    k : int or None
        Neighbours per target point (None: the task's default, ``recipes.default_k``).
    """

    key: str
    title: str
    task: TaskType
    source_languages: tuple[str, ...]
    per_source_language: int
    target_language: str
    target_size: int
    test_size: int
    seed_language: str
    seed_size: int
    budget: int = 20
    k: int | None = None
    target_split: str = "dev"
    sample_seed: int = 0


DEMOS: dict[str, DemoSpec] = {
    SIB200: DemoSpec(
        key=SIB200,
        title="SIB-200 topics: Amharic target, 5 source languages",
        task=TaskType.SEQUENCE,
        source_languages=("arb_Arab", "heb_Hebr", "hin_Deva", "hau_Latn", "swh_Latn"),
        per_source_language=200,
        target_language="amh_Ethi",
        target_size=0,
        test_size=0,
        seed_language="eng_Latn",
        seed_size=100,
    ),
    MASAKHANER: DemoSpec(
        key=MASAKHANER,
        title="MasakhaNER 2.0: Twi target, 5 source languages",
        task=TaskType.TOKEN,
        source_languages=("ewe", "hau", "ibo", "lug", "wol"),
        per_source_language=200,
        target_language="twi",
        target_size=300,
        test_size=300,
        seed_language="pcm",
        seed_size=100,
    ),
}


SOURCE_PER_LANGUAGE_ENV = "DEMUX_DEMO_SOURCE_PER_LANGUAGE"


def demo_specs() -> dict[str, DemoSpec]:
    """The demos, with ``$DEMUX_DEMO_SOURCE_PER_LANGUAGE`` applied when it is set.

    Raises
    ------
    ValueError
        When the variable is not a positive integer.
    """
    value = os.environ.get(SOURCE_PER_LANGUAGE_ENV, "").strip()
    if not value:
        return dict(DEMOS)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{SOURCE_PER_LANGUAGE_ENV}={value!r}: expected a positive integer")
    return {
        key: dataclasses.replace(spec, per_source_language=int(value))
        for key, spec in DEMOS.items()
    }


@dataclass(frozen=True)
class DemoPools:
    """The examples of a demo project, per pool, and its label schema."""

    labels: tuple[str, ...]
    source: list[Example]
    target: list[Example]
    test: list[Example]
    seed: list[Example]
    notes: tuple[str, ...] = ()  # what reading changed (garbled text repaired), in words


def demo_data_available(spec: DemoSpec, root: Path | None) -> bool:
    """Whether every file the demo reads exists under ``root``."""
    if root is None:
        return False
    folder = root / spec.key
    languages = (*spec.source_languages, spec.target_language, spec.seed_language)
    suffix = ".tsv" if spec.key == SIB200 else ".txt"
    return all(
        (folder / language / f"{split}{suffix}").is_file()
        for language in languages
        for split in ("train", "dev", "test")
    )


def _with_language_prefix(examples: list[Example], language: str) -> list[Example]:
    """Ids become ``<language>:<id>`` (SIB-200 ids repeat across languages)."""
    return [dataclasses.replace(e, id=f"{language}:{e.id}") for e in examples]


def _read(spec: DemoSpec, language: str, split: str, root: Path, notes: list[str]) -> list[Example]:
    """One file of the demo; MasakhaNER's garbled text (upstream mojibake) is repaired and
    noted."""
    from demux_core.data.readers import read_masakhaner, read_sib200
    from demux_core.data.readers.garbled import garbled_note

    if spec.key == SIB200:
        return _with_language_prefix(list(read_sib200(language, split, root)), language)
    garbled: list = []
    examples = read_masakhaner(language, split, root, garbled=garbled, repair_garbled=True)
    note = garbled_note(f"{spec.key}/{language}/{split}.txt", garbled, repaired=True)
    if note is not None:
        notes.append(note)
    return _with_language_prefix(list(examples), language)


def _labels(spec: DemoSpec, root: Path, examples: list[Example]) -> tuple[str, ...]:
    if spec.key == SIB200:
        from demux_core.data.readers import sib200_labels

        return sib200_labels(root)
    entities = sorted({tag[2:] for e in examples for tag in (e.gold or ()) if tag != "O"})
    return ("O", *(f"{prefix}-{entity}" for entity in entities for prefix in ("B", "I")))


def build_demo_pools(spec: DemoSpec, root: Path) -> DemoPools:
    """Read and sample the demo's pools (deterministic).

    Parameters
    ----------
    spec : DemoSpec
    root : Path
        The data root holding ``sib200/`` or ``masakhaner2/``.
    """
    from demux_core.data.readers import deterministic_sample

    def sample(examples: list[Example], n: int, offset: int) -> list[Example]:
        return deterministic_sample(examples, n, spec.sample_seed + offset) if n else examples

    source: list[Example] = []
    notes: list[str] = []
    for offset, language in enumerate(spec.source_languages):
        train = _read(spec, language, "train", root, notes)
        source.extend(sample(train, spec.per_source_language, offset))
    target = sample(
        _read(spec, spec.target_language, spec.target_split, root, notes), spec.target_size, 100
    )
    test = sample(_read(spec, spec.target_language, "test", root, notes), spec.test_size, 101)
    seed = sample(_read(spec, spec.seed_language, "train", root, notes), spec.seed_size, 102)
    labels = _labels(spec, root, [*source, *seed, *test])
    return DemoPools(labels=labels, source=source, target=target, test=test, seed=seed,
                     notes=tuple(notes))  # fmt: skip


def download_instructions(spec: DemoSpec) -> str:
    """Plain-text steps to get the demo's data where there is no ``../shared/data``."""
    if spec.key == SIB200:
        origin = "https://github.com/dadelani/sib-200 (folder data/annotated/<language>/)"
        files = "train.tsv, dev.tsv, test.tsv and labels.txt"
    else:
        origin = (
            "https://github.com/masakhane-io/masakhane-ner (folder MasakhaNER2.0/data/<language>/)"
        )
        files = "train.txt, dev.txt and test.txt"
    languages = ", ".join(
        sorted({*spec.source_languages, spec.target_language, spec.seed_language})
    )
    return (
        f"This demo needs {files} of {languages} from {origin}. Either press "
        f"'Download demo data' (needs internet; files are cached under $DEMUX_HOME/data), or "
        f"download them yourself into <folder>/{spec.key}/<language>/ and start the app "
        f"with DEMUX_DATA=<folder>."
    )
