"""Examples by pool: adding, importing (all or nothing) and reading back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from demux_core.data.examples import Example
from demux_core.errors import DataFormatError
from storage.base import StoreBase
from storage.errors import StorageError
from storage.importing import check_examples, line_of, read_file
from storage.records import StoredExample, dumps, example_content, example_from_row, label_to_json
from storage.schema import POOLS

_INSERT_BATCH = 2_000


def check_pool(pool: str) -> str:
    """Return ``pool`` if it is one of :data:`~storage.schema.POOLS`, else raise ValueError."""
    if pool not in POOLS:
        raise ValueError(f"unknown pool {pool!r}; expected one of {', '.join(POOLS)}")
    return pool


class ExamplesMixin(StoreBase):
    """Pools of examples (source / target / test / seed)."""

    def add_examples(
        self, pool: str, examples: Sequence[Example], *, source: str = "<in-memory examples>"
    ) -> int:
        """Append ``examples`` to ``pool`` in one transaction; returns how many were added.

        Raises
        ------
        DataFormatError
            An example does not fit the project (task, label schema, tags count) or its
            id is repeated, in the list or against the pool; nothing is added then.
            ``source`` names the origin in the message (a file path on import).
        """
        check_pool(pool)
        info = self.info()
        check_examples(examples, info.task, info.labels, source)
        with self._write() as db:
            taken = self._taken_ids(pool, [example.id for example in examples])
            if taken:
                raise DataFormatError(
                    source, None, f"{len(taken)} id(s) already in pool {pool!r}: {taken[:5]}"
                )
            start = self._next_position(pool)
            rows = (_row(pool, start + offset, example) for offset, example in enumerate(examples))
            db["examples"].insert_all(rows, batch_size=_INSERT_BATCH)
        return len(examples)

    def import_examples(self, pool: str, path: str | Path, **reader_options: Any) -> int:
        """Read a whole file with ``demux_core.data.readers.read_examples`` and add it to ``pool``.

        ``reader_options`` go to the reader (``format``, ``language``, ``task``, ``labels``...);
        ``task`` and ``labels`` default to the project's. All or nothing: a malformed file
        raises :class:`~demux_core.errors.DataFormatError` naming file and line, and the
        project is unchanged.
        """
        check_pool(pool)
        info = self.info()
        reader_options.setdefault("task", info.task)
        if info.labels:
            reader_options.setdefault("labels", list(info.labels))
        examples = read_file(Path(path), reader_options)
        self._raise_on_pool_duplicates(pool, examples, Path(path))
        return self.add_examples(pool, examples, source=str(path))

    def _raise_on_pool_duplicates(self, pool: str, examples: list[Example], path: Path) -> None:
        taken = self._taken_ids(pool, [example.id for example in examples])
        if taken:
            raise DataFormatError(
                path,
                line_of(path, taken[0]),
                f"id {taken[0]!r} is already in pool {pool!r}"
                + (f" ({len(taken)} repeated ids in all)" if len(taken) > 1 else ""),
            )

    def _taken_ids(self, pool: str, ids: Iterable[str]) -> list[str]:
        wanted = list(ids)
        taken: list[str] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT external_id FROM examples WHERE pool = ? AND external_id IN ({marks})"
            taken.extend(row["external_id"] for row in self._rows(sql, [pool, *chunk]))
        order = {ident: index for index, ident in enumerate(wanted)}
        return sorted(taken, key=order.__getitem__)

    def _next_position(self, pool: str) -> int:
        row = self._rows("SELECT MAX(position) AS last FROM examples WHERE pool = ?", [pool])[0]
        return 0 if row["last"] is None else row["last"] + 1

    # -- reading --------------------------------------------------------------------
    def pool_size(self, pool: str) -> int:
        """Number of examples in ``pool``."""
        sql = "SELECT COUNT(*) AS n FROM examples WHERE pool = ?"
        return int(self._rows(sql, [check_pool(pool)])[0]["n"])

    def gold_count(self, pool: str) -> int:
        """Number of examples in ``pool`` whose file carried a gold label."""
        sql = "SELECT COUNT(*) AS n FROM examples WHERE pool = ? AND gold IS NOT NULL"
        return int(self._rows(sql, [check_pool(pool)])[0]["n"])

    def pool_sizes(self) -> dict[str, int]:
        """Number of examples in every pool (0 for empty ones)."""
        sql = "SELECT pool, COUNT(*) AS n FROM examples GROUP BY pool"
        counts = {row["pool"]: row["n"] for row in self._rows(sql)}
        return {pool: int(counts.get(pool, 0)) for pool in POOLS}

    def stored_examples(self, pool: str) -> list[StoredExample]:
        """Every example of ``pool`` with its key and position, in position order."""
        task = self.info().task
        sql = "SELECT * FROM examples WHERE pool = ? ORDER BY position"
        return [_stored(task, row) for row in self._rows(sql, [check_pool(pool)])]

    def examples_between(self, pool: str, start: int, stop: int) -> list[StoredExample]:
        """The examples at positions ``start <= position < stop`` of ``pool``, in order.

        Lets a pool larger than memory be read in chunks (the pool index build does).
        """
        task = self.info().task
        sql = "SELECT * FROM examples WHERE pool = ? AND position >= ? AND position < ?"
        rows = self._rows(sql + " ORDER BY position", [check_pool(pool), int(start), int(stop)])
        return [_stored(task, row) for row in rows]

    def pool_examples(self, pool: str) -> list[Example]:
        """The example dataclasses of ``pool`` in position order (row ``i`` = position ``i``)."""
        return [stored.example for stored in self.stored_examples(pool)]

    def get_examples(self, keys: Sequence[int]) -> list[StoredExample]:
        """The examples with these integer keys, in the order given.

        Raises
        ------
        StorageError
            If a key does not exist.
        """
        task = self.info().task
        by_key: dict[int, StoredExample] = {}
        for start in range(0, len(keys), 500):
            chunk = [int(key) for key in keys[start : start + 500]]
            sql = f"SELECT * FROM examples WHERE id IN ({','.join('?' * len(chunk))})"
            by_key.update((row["id"], _stored(task, row)) for row in self._rows(sql, chunk))
        missing = [key for key in keys if key not in by_key]
        if missing:
            raise StorageError(f"no example with key(s) {missing[:5]} in {self.path}")
        return [by_key[key] for key in keys]

    def example_key(self, pool: str, example_id: str) -> int:
        """The integer key of the example with string id ``example_id`` in ``pool``."""
        sql = "SELECT id FROM examples WHERE pool = ? AND external_id = ?"
        rows = self._rows(sql, [check_pool(pool), example_id])
        if not rows:
            raise StorageError(f"no example with id {example_id!r} in pool {pool!r}")
        return int(rows[0]["id"])

    def keys_at_positions(self, pool: str, positions: Sequence[int]) -> list[int]:
        """The integer keys of the examples at these positions of ``pool``, in that order."""
        sql = "SELECT id, position FROM examples WHERE pool = ?"
        by_position = {row["position"]: row["id"] for row in self._rows(sql, [check_pool(pool)])}
        missing = [int(p) for p in positions if int(p) not in by_position]
        if missing:
            raise StorageError(f"pool {pool!r} has no position(s) {missing[:5]}")
        return [int(by_position[int(p)]) for p in positions]


def _row(pool: str, position: int, example: Example) -> dict[str, Any]:
    return {
        "pool": pool,
        "position": position,
        "external_id": example.id,
        "language": example.language,
        "content": dumps(example_content(example)),
        "gold": label_to_json(example.gold),
    }


def _stored(task: Any, row: dict[str, Any]) -> StoredExample:
    return StoredExample(row["id"], row["pool"], row["position"], example_from_row(task, row))
