"""Folders written by ``datasets`` ``save_to_disk`` (a ``Dataset`` or a ``DatasetDict``).

Same column conventions as the other row formats. Integer ``ClassLabel`` values (and
sequences of them, e.g. ``ner_tags``) become their class names. Errors name the folder and
the 1-based row number as the line. ``datasets`` is imported only when such a folder is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from demux_core.data.readers.options import Located, ReadOptions
from demux_core.data.readers.rows import read_row
from demux_core.errors import DataFormatError

DATASET_MARKER = "dataset_info.json"
DATASET_DICT_MARKER = "dataset_dict.json"


def is_hf_folder(path: Path) -> bool:
    """Whether ``path`` is a folder written by ``save_to_disk``."""
    return path.is_dir() and (
        (path / DATASET_MARKER).is_file() or (path / DATASET_DICT_MARKER).is_file()
    )


def read_hf_disk(path: Path, options: ReadOptions) -> list[Located]:
    """Read a saved ``Dataset`` (or one split of a saved ``DatasetDict``).

    Returns
    -------
    list of (int, Example)
        Each example with its 1-based row number; ids from the id column or
        ``<split or folder name>-<row>``.
    """
    dataset, stem = _load(path, options.split)
    class_names = _class_names(dataset.features)
    located: list[Located] = []
    for row_number, row in enumerate(dataset, start=1):
        example = read_row(
            row,
            options,
            path=path,
            line=row_number,
            default_id=f"{stem}-{row_number}",
            class_names=class_names,
        )
        located.append((row_number, example))
    if not located:
        raise DataFormatError(path, 1, "dataset has no rows")
    return located


def _load(path: Path, split: str | None) -> tuple[Any, str]:
    """The dataset to read and the stem for default ids."""
    import datasets  # heavy: imported only here

    try:
        loaded = datasets.load_from_disk(str(path))
    except Exception as error:  # datasets raises several types for corrupt folders
        raise DataFormatError(path, None, f"cannot load the saved dataset: {error}") from None
    if isinstance(loaded, datasets.DatasetDict):
        names = sorted(loaded)
        if split is None:
            raise DataFormatError(path, None, f"folder holds splits {names}: pass split=...")
        if split not in loaded:
            raise DataFormatError(path, None, f"no split {split!r}; the folder holds {names}")
        return loaded[split], split
    return loaded, path.name


def _class_names(features: Mapping[str, Any]) -> dict[str, Sequence[str]]:
    """Column -> ClassLabel names, for label columns and sequences of labels."""
    names: dict[str, Sequence[str]] = {}
    for column, feature in features.items():
        inner = getattr(feature, "feature", feature)
        if isinstance(inner, dict):
            continue
        label_names = getattr(inner, "names", None)
        if label_names:
            names[column] = list(label_names)
    return names
