"""Downloadable bytes: labelled data in every format, the model folder, the rounds table."""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from demux_core.data.examples import TaskType
from service.report import rounds_table
from storage import ProjectStore

_SUFFIX = {"conll": ".conll", "jsonl": ".jsonl", "csv": ".csv"}
_MIME = {
    "conll": "text/plain",
    "jsonl": "application/jsonl",
    "csv": "text/csv",
    "hf": "application/zip",
}


@dataclass(frozen=True)
class Download:
    """A file to offer: name, content and MIME type."""

    file_name: str
    data: bytes
    mime: str


def export_formats(task: TaskType) -> tuple[str, ...]:
    """Formats the labelled data of a task can be written in (CoNLL is for token tasks)."""
    return ("conll", "jsonl", "csv", "hf") if task == TaskType.TOKEN else ("jsonl", "csv", "hf")


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent))
    return buffer.getvalue()


def labeled_data(store: ProjectStore, format: str) -> Download:
    """The seed + annotated source examples in ``format`` (``hf``: a zipped datasets folder)."""
    name = store.info().name
    with tempfile.TemporaryDirectory() as scratch:
        if format == "hf":
            folder = Path(scratch) / f"{name}-labeled"
            store.export_labeled(folder, "hf")
            return Download(f"{name}-labeled.zip", _zip_folder(folder), _MIME["hf"])
        if format not in _SUFFIX:
            raise ValueError(f"unknown export format {format!r}")
        path = Path(scratch) / f"{name}-labeled{_SUFFIX[format]}"
        store.export_labeled(path, format)
        return Download(path.name, path.read_bytes(), _MIME[format])


def labels_version(store: ProjectStore) -> str:
    """A cheap fingerprint of the exportable labels: changes when a label is saved or undone.

    The ids of the effective source annotations of every slot, hashed (the seed pool never
    changes).
    """
    ids = sorted(annotation.id for slots in store.slot_annotations("source").values()
                 for annotation in slots.values())  # fmt: skip
    return hashlib.sha1(",".join(map(str, ids)).encode("ascii")).hexdigest()[:16]


def model_folder(store: ProjectStore) -> Download | None:
    """The newest round's checkpoint folder as a zip, or ``None`` when no round saved one."""
    for current in reversed(store.rounds()):
        if current.checkpoint_path and Path(current.checkpoint_path).is_dir():
            folder = Path(current.checkpoint_path)
            return Download(
                f"{store.info().name}-model-round{current.number}.zip",
                _zip_folder(folder),
                "application/zip",
            )
    return None


def rounds_csv(store: ProjectStore) -> Download:
    """The rounds table as CSV."""
    data = rounds_table(store).to_csv(index=False).encode("utf-8")
    return Download(f"{store.info().name}-rounds.csv", data, "text/csv")
