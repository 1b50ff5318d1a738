"""The one entry point: :func:`read_examples`, with format detection and common checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from demux_core.data.examples import Example, TaskType, TokenExample, task_of
from demux_core.data.readers._text import folder_language
from demux_core.data.readers.bio import check_tag_scheme
from demux_core.data.readers.columns import ColumnSpec
from demux_core.data.readers.conll import read_conll
from demux_core.data.readers.conllu import read_conllu
from demux_core.data.readers.garbled import check_garbled
from demux_core.data.readers.hf_disk import is_hf_folder, read_hf_disk
from demux_core.data.readers.jsonl import read_jsonl
from demux_core.data.readers.options import Located, ReadOptions
from demux_core.data.readers.tabular import read_delimited
from demux_core.errors import DataFormatError

FORMATS = ("conll", "conllu", "tsv", "csv", "jsonl", "hf")
_EXTENSIONS = {
    ".txt": "conll",
    ".conll": "conll",
    ".conllu": "conllu",
    ".tsv": "tsv",
    ".csv": "csv",
    ".jsonl": "jsonl",
}
_READERS: dict[str, Callable[[Path, ReadOptions], list[Located]]] = {
    "conll": read_conll,
    "conllu": read_conllu,
    "tsv": lambda path, options: read_delimited(path, options, "\t"),
    "csv": lambda path, options: read_delimited(path, options, ","),
    "jsonl": read_jsonl,
    "hf": read_hf_disk,
}


def read_examples(
    path: str | Path,
    *,
    format: str | None = None,
    language: str | None = None,
    task: TaskType | str | None = None,
    labels: Iterable[str] | None = None,
    split: str | None = None,
    tag_scheme: str | None = None,
    repairs: list | None = None,
    garbled: list | None = None,
    repair_garbled: bool = False,
    **columns: str,
) -> list[Example]:
    """Read a data file (or folder) into examples.

    Parameters
    ----------
    path : str or Path
        A file (``.txt``/``.conll`` CoNLL, ``.conllu``, ``.tsv``, ``.csv``, ``.jsonl``), a folder
        written by ``datasets.save_to_disk``, or a plain folder holding ``<split>.<ext>``
        (then ``split`` picks the file, e.g. ``masakhaner2/hau`` with ``split="train"``).
    format : str, optional
        One of ``FORMATS``; detected from the extension / folder contents when omitted.
    language : str, optional
        Language of every example; else a language column, else the folder name
        (``hau``, ``hau_Latn``).
    task : TaskType or str, optional
        When given, every example must be of this task.
    labels : iterable of str, optional
        The label schema. For token tasks a tag is accepted when it, or its entity type
        (``PER`` for ``B-PER``), is listed; ``O`` always is.
    split : str, optional
        Split of a ``DatasetDict`` folder, or file name stem in a plain folder.
    tag_scheme : {"bio", "bio-strict", "any"}, optional
        Token tag checking; default ``"bio"`` for CoNLL, ``"any"`` for the others.
    repairs : list, optional
        Receives one :class:`~demux_core.data.readers.bio.TagRepair` per orphan ``I-X`` repaired
        to ``B-X`` (file and line), so that the caller can report them.
    garbled : list, optional
        Receives one :class:`~demux_core.data.readers.garbled.GarbledText` per garbled run of
        characters (UTF-8 once decoded as GBK and the like, :mod:`demux_core.data.mojibake`).
    repair_garbled : bool
        Replace the repairable runs by their repair (token and sentence tasks; default off:
        text is never changed unasked).
    **columns : str
        Explicit column names: ``text_column``, ``text_pair_column``, ``label_column``,
        ``id_column``, ``language_column``, ``tokens_column``, ``tags_column``,
        ``question_column``, ``context_column``, ``answer_start_column``,
        ``answer_text_column``.

    Returns
    -------
    list of Example
        In file order. Ids come from the id column, else ``<file stem>-<1-based number>``.

    Raises
    ------
    DataFormatError
        Malformed input, with file and line; duplicate ids (naming both lines); a label outside
        ``labels``; an example of another task than ``task``.
    FileNotFoundError
        When ``path`` does not exist.
    """
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"no such data file or folder: {source}")
    spec = ColumnSpec.from_options(columns)
    if source.is_dir() and not is_hf_folder(source) and format != "hf":
        source = _split_file(source, split)
    chosen = format or detect_format(source)
    if chosen not in _READERS:
        raise ValueError(f"format must be one of {FORMATS}, got {chosen!r}")
    scheme = tag_scheme or ("bio" if chosen == "conll" else "any")
    check_tag_scheme(scheme)
    options = ReadOptions(language, folder_language(source), spec, scheme, split, repairs)
    located = _READERS[chosen](source, options)
    located = check_garbled(source, located, garbled, repair_garbled)
    check_unique_ids(source, located)
    if task is not None:
        check_task(source, located, TaskType(task))
    if labels is not None:
        check_labels(source, located, frozenset(labels))
    return [example for _, example in located]


def detect_format(path: Path) -> str:
    """The format of a file (by extension) or folder (by ``save_to_disk`` marker files)."""
    if path.is_dir():
        if is_hf_folder(path):
            return "hf"
        raise DataFormatError(
            path,
            None,
            "folder is not a saved Hugging Face dataset: pass split=... to read a file in it",
        )
    detected = _EXTENSIONS.get(path.suffix.lower())
    if detected is None:
        raise DataFormatError(
            path,
            None,
            f"cannot tell the format from extension {path.suffix!r}: pass format= one of {FORMATS}",
        )
    return detected


def _split_file(folder: Path, split: str | None) -> Path:
    """The single ``<split>.<known extension>`` file in a plain folder."""
    if split is None:
        raise DataFormatError(
            folder, None, "folder is not a saved Hugging Face dataset: pass split=..."
        )
    matches = [
        folder / f"{split}{ext}" for ext in _EXTENSIONS if (folder / f"{split}{ext}").is_file()
    ]
    if len(matches) != 1:
        found = "none" if not matches else ", ".join(m.name for m in matches)
        raise DataFormatError(
            folder, None, f"expected one file {split}.<ext> for split {split!r}, found {found}"
        )
    return matches[0]


def check_unique_ids(path: Path, located: list[Located]) -> None:
    """Raise when two examples share an id, naming both lines."""
    first_seen: dict[str, int] = {}
    for line, example in located:
        previous = first_seen.setdefault(example.id, line)
        if previous != line:
            raise DataFormatError(
                path, line, f"duplicate id {example.id!r} (first used on line {previous})"
            )


def check_task(path: Path, located: list[Located], task: TaskType) -> None:
    """Raise when an example is not of ``task``."""
    for line, example in located:
        found = task_of(example)
        if found != task:
            hint = " (no text_pair column?)" if task == TaskType.PAIR else ""
            raise DataFormatError(
                path,
                line,
                f"row is a {found.value} example but task={task.value!r} was asked{hint}",
            )


def check_labels(path: Path, located: list[Located], labels: frozenset[str]) -> None:
    """Raise when a gold label or tag is outside the schema ``labels``."""
    for line, example in located:
        if isinstance(example, TokenExample):
            for tag in example.tags or ():
                entity_type = tag[2:] if tag[:2] in ("B-", "I-") else None
                if tag != "O" and tag not in labels and entity_type not in labels:
                    raise DataFormatError(
                        path, line, f"tag {tag!r} is not in the label schema {sorted(labels)}"
                    )
        elif (
            task_of(example) != TaskType.QA
            and example.label is not None
            and example.label not in labels
        ):
            raise DataFormatError(
                path, line, f"label {example.label!r} is not in the label schema {sorted(labels)}"
            )
