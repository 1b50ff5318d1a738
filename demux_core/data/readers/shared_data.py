"""Helpers for the real evaluation data in ``../shared/data`` (MasakhaNER 2.0, SIB-200).

The data is never part of the repository: these helpers find it, and return nothing (or
raise a clear error) where it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from demux_core.data.examples import SequenceExample, TokenExample
from demux_core.data.readers.api import read_examples
from demux_core.errors import DemuxError

MASAKHANER_FOLDER = "masakhaner2"
SIB200_FOLDER = "sib200"
SPLITS = ("train", "dev", "test")
_REPO_ROOT = Path(__file__).resolve().parents[3]

T = TypeVar("T")


def shared_data_dir() -> Path | None:
    """``$DEMUX_DATA`` if set, else ``../shared/data`` next to the repository if it exists."""
    env = os.environ.get("DEMUX_DATA")
    if env:
        return Path(env)
    candidate = _REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def masakhaner_languages(root: Path | None = None) -> tuple[str, ...]:
    """ISO 639-3 codes of the MasakhaNER 2.0 languages present (empty when the data is absent)."""
    return _languages(root, MASAKHANER_FOLDER)


def sib200_languages(root: Path | None = None) -> tuple[str, ...]:
    """Flores codes (``hau_Latn``) of the SIB-200 languages present (empty when absent)."""
    return _languages(root, SIB200_FOLDER)


def read_masakhaner(
    lang: str,
    split: str,
    root: Path | None = None,
    garbled: list | None = None,
    repair_garbled: bool = False,
) -> list[TokenExample]:
    """One split of one MasakhaNER 2.0 language (ids ``<split>-<sentence number>``).

    ``garbled`` and ``repair_garbled``: as :func:`read_examples` (the Hausa files carry
    upstream mojibake).
    """
    folder = _dataset_folder(root, MASAKHANER_FOLDER) / lang
    examples = read_examples(folder / f"{_check_split(split)}.txt", format="conll", language=lang,
                             garbled=garbled, repair_garbled=repair_garbled)  # fmt: skip
    return [e for e in examples if isinstance(e, TokenExample)]


def read_sib200(lang: str, split: str, root: Path | None = None) -> list[SequenceExample]:
    """One split of one SIB-200 language, checked against ``labels.txt``.

    ``lang`` is a Flores code (``hau_Latn``) or, when unambiguous, its ISO 639-3 part (``hau``).
    Ids are the ``index_id`` column (the same sentence has the same id in every language).
    """
    base = _dataset_folder(root, SIB200_FOLDER)
    code = _flores_code(base, lang)
    examples = read_examples(
        base / code / f"{_check_split(split)}.tsv",
        language=code,
        labels=sib200_labels(root),
    )
    return [e for e in examples if isinstance(e, SequenceExample)]


def sib200_labels(root: Path | None = None) -> tuple[str, ...]:
    """The 7 SIB-200 categories, in ``labels.txt`` order (read from the first language)."""
    base = _dataset_folder(root, SIB200_FOLDER)
    files = sorted(base.glob("*/labels.txt"))
    if not files:
        raise DemuxError(f"no labels.txt under {base}")
    return tuple(
        line.strip() for line in files[0].read_text(encoding="utf-8").splitlines() if line.strip()
    )


def deterministic_sample(examples: Sequence[T], n: int, seed: int) -> list[T]:
    """``n`` examples drawn without replacement, kept in their original order.

    The same ``(examples, n, seed)`` always gives the same sample; ``n >= len(examples)``
    returns all of them.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n >= len(examples):
        return list(examples)
    chosen = np.random.default_rng(seed).choice(len(examples), size=n, replace=False)
    return [examples[int(i)] for i in np.sort(chosen)]


def _dataset_folder(root: Path | None, name: str) -> Path:
    base = root or shared_data_dir()
    if base is None or not (base / name).is_dir():
        raise DemuxError(
            f"the shared data folder {name}/ is absent: set $DEMUX_DATA or place it in ../shared/data"
        )
    return base / name


def _languages(root: Path | None, name: str) -> tuple[str, ...]:
    base = root or shared_data_dir()
    if base is None or not (base / name).is_dir():
        return ()
    return tuple(sorted(p.name for p in (base / name).iterdir() if p.is_dir()))


def _flores_code(base: Path, lang: str) -> str:
    if (base / lang).is_dir():
        return lang
    matches = [p.name for p in base.iterdir() if p.is_dir() and p.name.split("_")[0] == lang]
    if len(matches) != 1:
        raise DemuxError(
            f"SIB-200 language {lang!r} not found (or ambiguous: {matches}) under {base}"
        )
    return matches[0]


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return split
