"""Pools stored as Parquet shards: a folder of ``pool-NNNNN.parquet`` files plus a manifest.

Once a pool passes :data:`DEFAULT_SHARD_THRESHOLD` examples it is kept next to its project
as shards rather than one in-memory list, so that scoring workers (see
:mod:`demux_core.scale.ray_scoring`) and the streaming selection read it piece by piece.

Every shard has a ``row`` column (int64, the example's position in the whole pool), ``id``
and ``language`` (string), then per task family:

- token: ``tokens`` (list<string>), ``tags`` (list<string>, null = unlabeled);
- sequence / pair: ``text``, ``text_pair`` (null for sequence), ``label`` (null = unlabeled);
- qa: ``question``, ``context``, ``answer_start`` (int64), ``answer_text`` (both null =
  unlabeled).

``manifest.json`` records the format version, task, row count, columns and each shard's
file name, first row and row count; :func:`read_manifest` checks it against the files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from demux_core.data.examples import (
    Example,
    QAExample,
    SequenceExample,
    TaskType,
    TokenExample,
    task_of,
)
from demux_core.errors import DataFormatError

MANIFEST_FILE = "manifest.json"
SHARD_FORMAT_VERSION = 1
DEFAULT_ROWS_PER_SHARD = 50_000
DEFAULT_SHARD_THRESHOLD = 200_000

_STRINGS = pa.list_(pa.string())
SCHEMAS: dict[TaskType, pa.Schema] = {
    TaskType.TOKEN: pa.schema(
        [
            ("row", pa.int64()),
            ("id", pa.string()),
            ("language", pa.string()),
            ("tokens", _STRINGS),
            ("tags", _STRINGS),
        ]
    ),
    TaskType.SEQUENCE: pa.schema(
        [
            ("row", pa.int64()),
            ("id", pa.string()),
            ("language", pa.string()),
            ("text", pa.string()),
            ("text_pair", pa.string()),
            ("label", pa.string()),
        ]
    ),
    TaskType.QA: pa.schema(
        [
            ("row", pa.int64()),
            ("id", pa.string()),
            ("language", pa.string()),
            ("question", pa.string()),
            ("context", pa.string()),
            ("answer_start", pa.int64()),
            ("answer_text", pa.string()),
        ]
    ),
}
SCHEMAS[TaskType.PAIR] = SCHEMAS[TaskType.SEQUENCE]


@dataclass(frozen=True)
class ShardInfo:
    """One shard file: its name inside the folder, first pool row and row count."""

    file: str
    first_row: int
    rows: int


@dataclass(frozen=True)
class PoolManifest:
    """What ``manifest.json`` says about a sharded pool.

    Attributes
    ----------
    task : TaskType
        Task family of every example (sequence and pair pools may mix; ``task`` is the first).
    n_rows : int
    shards : tuple of ShardInfo, in pool order
    """

    task: TaskType
    n_rows: int
    shards: tuple[ShardInfo, ...]

    def paths(self, folder: str | Path) -> list[Path]:
        """Absolute shard paths in pool order."""
        return [Path(folder) / shard.file for shard in self.shards]


def should_shard(n_examples: int, threshold: int = DEFAULT_SHARD_THRESHOLD) -> bool:
    """Whether a pool of ``n_examples`` is large enough to be stored as shards."""
    return n_examples >= threshold


def _family(task: TaskType) -> TaskType:
    return TaskType.SEQUENCE if task is TaskType.PAIR else task


def _columns(examples: Sequence[Example], task: TaskType, first_row: int) -> dict[str, list]:
    rows = list(range(first_row, first_row + len(examples)))
    columns: dict[str, list] = {"row": rows, "id": [e.id for e in examples]}
    columns["language"] = [e.language for e in examples]
    if task is TaskType.TOKEN:
        columns["tokens"] = [list(e.tokens) for e in examples]
        columns["tags"] = [None if e.tags is None else list(e.tags) for e in examples]
    elif task is TaskType.QA:
        for name in ("question", "context", "answer_start", "answer_text"):
            columns[name] = [getattr(e, name) for e in examples]
    else:
        for name in ("text", "text_pair", "label"):
            columns[name] = [getattr(e, name) for e in examples]
    return columns


def examples_to_table(examples: Sequence[Example], first_row: int = 0) -> pa.Table:
    """An Arrow table of one task family's examples (schema :data:`SCHEMAS`).

    Raises
    ------
    DataFormatError
        When the examples mix task families (the message names the first odd one).
    """
    task = _family(task_of(examples[0]))
    for offset, example in enumerate(examples):
        if _family(task_of(example)) is not task:
            raise DataFormatError(
                "<examples>",
                None,
                f"example {first_row + offset} ({example.id!r}) is a {task_of(example)} "
                f"example in a {task} pool",
            )
    return pa.table(_columns(examples, task, first_row), schema=SCHEMAS[task])


def _example(task: TaskType, record: dict) -> Example:
    if task is TaskType.TOKEN:
        tags = record["tags"]
        return TokenExample(
            record["id"],
            record["language"],
            tuple(record["tokens"]),
            None if tags is None else tuple(tags),
        )
    if task is TaskType.QA:
        return QAExample(
            record["id"],
            record["language"],
            record["question"],
            record["context"],
            record["answer_start"],
            record["answer_text"],
        )
    return SequenceExample(
        record["id"], record["language"], record["text"], record["text_pair"], record["label"]
    )


def table_to_examples(table: pa.Table, task: TaskType | str) -> list[Example]:
    """Examples from a table with the columns of :data:`SCHEMAS` (extra columns ignored)."""
    family = _family(TaskType(task))
    names = [name for name in SCHEMAS[family].names if name != "row"]
    missing = [name for name in names if name not in table.column_names]
    if missing:
        raise DataFormatError("<table>", None, f"missing column(s) {', '.join(missing)}")
    return [_example(family, record) for record in table.select(names).to_pylist()]


def write_pool_shards(
    examples: Sequence[Example],
    folder: str | Path,
    rows_per_shard: int = DEFAULT_ROWS_PER_SHARD,
) -> PoolManifest:
    """Write a pool as Parquet shards plus ``manifest.json`` (the manifest last).

    Parameters
    ----------
    examples : sequence of Example, non-empty, one task family
    folder : path -- created when missing; must hold no earlier manifest
    rows_per_shard : int -- >= 1

    Returns
    -------
    PoolManifest
    """
    if rows_per_shard < 1:
        raise ValueError(f"rows_per_shard must be >= 1, got {rows_per_shard}")
    if not examples:
        raise DataFormatError(folder, None, "cannot shard an empty pool")
    folder = Path(folder)
    if (folder / MANIFEST_FILE).exists():
        raise FileExistsError(f"{folder / MANIFEST_FILE} exists: write shards to a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    shards = []
    for number, start in enumerate(range(0, len(examples), rows_per_shard)):
        table = examples_to_table(examples[start : start + rows_per_shard], first_row=start)
        name = f"pool-{number:05d}.parquet"
        pq.write_table(table, folder / name)
        shards.append(ShardInfo(name, start, table.num_rows))
    manifest = PoolManifest(task_of(examples[0]), len(examples), tuple(shards))
    _write_manifest(folder, manifest)
    return manifest


def _write_manifest(folder: Path, manifest: PoolManifest) -> None:
    payload = {
        "format_version": SHARD_FORMAT_VERSION,
        "task": str(manifest.task),
        "n_rows": manifest.n_rows,
        "columns": SCHEMAS[manifest.task].names,
        "shards": [vars(shard) for shard in manifest.shards],
    }
    temporary = folder / (MANIFEST_FILE + ".tmp")
    temporary.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    temporary.replace(folder / MANIFEST_FILE)


def read_manifest(folder: str | Path) -> PoolManifest:
    """Read and check ``manifest.json``: shards tile rows 0..n-1 and their files exist.

    Raises
    ------
    DataFormatError
        Naming the manifest (or shard file) and what is wrong.
    """
    path = Path(folder) / MANIFEST_FILE
    if not path.is_file():
        raise DataFormatError(path, None, "no pool manifest here (not a sharded pool folder)")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("format_version") != SHARD_FORMAT_VERSION:
            raise DataFormatError(
                path, None, f"unknown format_version {payload.get('format_version')!r}"
            )
        task = TaskType(payload["task"])
        shards = tuple(
            ShardInfo(s["file"], int(s["first_row"]), int(s["rows"])) for s in payload["shards"]
        )
        n_rows = int(payload["n_rows"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        if isinstance(error, DataFormatError):
            raise
        raise DataFormatError(path, None, f"malformed manifest: {error}") from error
    _check_tiling(path, shards, n_rows)
    return PoolManifest(task, n_rows, shards)


def _check_tiling(path: Path, shards: tuple[ShardInfo, ...], n_rows: int) -> None:
    expected = 0
    for shard in shards:
        if shard.first_row != expected:
            raise DataFormatError(
                path,
                None,
                f"shard {shard.file} starts at row {shard.first_row}, expected {expected}",
            )
        if not (path.parent / shard.file).is_file():
            raise DataFormatError(
                path.parent / shard.file, None, "shard file listed in the manifest is missing"
            )
        expected += shard.rows
    if expected != n_rows:
        raise DataFormatError(
            path, None, f"shards hold {expected} rows, manifest says n_rows={n_rows}"
        )


def read_pool_shards(folder: str | Path) -> Iterator[list[Example]]:
    """Yield each shard's examples (a list), in pool order; one shard in memory at a time.

    Raises
    ------
    DataFormatError
        When the manifest is bad, or a shard's row count or ``row`` column disagrees with it.
    """
    manifest = read_manifest(folder)
    for shard in manifest.shards:
        path = Path(folder) / shard.file
        table = pq.read_table(path)
        rows = table.column("row").to_pylist() if "row" in table.column_names else None
        if rows != list(range(shard.first_row, shard.first_row + shard.rows)):
            raise DataFormatError(
                path,
                None,
                f"holds rows that disagree with the manifest (expected {shard.rows} rows "
                f"from {shard.first_row})",
            )
        yield table_to_examples(table, manifest.task)
