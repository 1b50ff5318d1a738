"""Build (or bring up to date) a project's pool index: every row embedded once, kept on disk.

The build reads each pool in chunks, so a pool larger than memory streams through it. A chunk
whose rows (keys and texts) are unchanged since it was embedded is kept; new rows after an
import, and chunks a killed build never finished, are embedded; a different model (another
fingerprint) builds a whole new generation beside the old one (:mod:`demux_core.index.files`).
The embedding itself is a callable, so this module needs neither torch nor a model:
:func:`demux_core.scoring.encoder_vectors.encoder_embedder` is the one the app and the CLI pass.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from demux_core.data.examples import Example
from demux_core.index.files import (
    CURRENT_FILE,
    MANIFEST_FILE,
    assemble,
    read_json,
    remove_temporary,
    save_array,
    write_json,
)
from demux_core.index.fingerprint import rows_digest
from demux_core.index.search import (
    APPROXIMATE_ABOVE,
    NeighbourSearch,
    build_ivf,
    read_ivf,
    write_ivf,
)

Embed = Callable[[Sequence[Example]], np.ndarray]
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class PoolRows:
    """One pool as the build reads it: ``read(start, stop)`` gives (key, example) pairs."""

    size: int
    read: Callable[[int, int], Sequence[tuple[str, Example]]]


@dataclass(frozen=True)
class IndexSettings:
    """How the index is built.

    Attributes
    ----------
    chunk_rows : int -- rows embedded (and saved) at a time: what a killed build loses at most
    approximate_above : int -- source rows above which search is IVF, not exact
    min_recall : float -- recall@64 the IVF index must reach against exact search
    """

    chunk_rows: int = 1024
    approximate_above: int = APPROXIMATE_ABOVE
    min_recall: float = 0.98


@dataclass
class PoolIndex:
    """A complete pool index, loaded.

    Attributes
    ----------
    folder : Path
    generation : str -- the model fingerprint it was built with
    vectors : dict of pool name to np.ndarray (n, d) float32
    files : dict of pool name to the vectors file, relative to ``folder``
    search : NeighbourSearch -- over the source vectors
    embedded : int -- rows embedded by the call that returned it (0: nothing was stale)
    notes : list of str -- what the build found (a model change, changed rows)
    """

    folder: Path
    generation: str
    vectors: dict[str, np.ndarray]
    files: dict[str, str]
    search: NeighbourSearch
    embedded: int = 0
    notes: list[str] = field(default_factory=list)


def text_of(example: Example) -> str:
    """The text fields of an example, joined: what its vector depends on."""
    parts = []
    for name in ("tokens", "text", "text_pair", "question", "context"):
        value = getattr(example, name, None)
        if value is not None:
            parts.append(" ".join(value) if isinstance(value, tuple | list) else str(value))
    return "\x1f".join(parts)


def build_pool_index(
    folder: str | Path,
    generation: str,
    pools: Mapping[str, PoolRows],
    embed: Embed,
    settings: IndexSettings | None = None,
    progress: Progress | None = None,
) -> PoolIndex:
    """Embed what is missing or stale, assemble the pools, build the search; return the index.

    Parameters
    ----------
    folder : path -- the index folder (created)
    generation : str -- :func:`demux_core.index.fingerprint.model_fingerprint` of the encoder
    pools : mapping of pool name to PoolRows -- must hold ``"source"``; ``"target"`` gives
        the queries the IVF recall is measured on
    embed : callable(examples) -> (len, d) float32
    settings : IndexSettings
    progress : callable(stage, fraction) -- stage ``"indexing"``
    """
    settings = settings or IndexSettings()
    folder = Path(folder)
    remove_temporary(folder)
    current = read_json(folder / CURRENT_FILE) or {}
    notes = []
    if current.get("generation") not in (None, generation):
        notes.append(
            f"The pool index was built with another model (fingerprint {current['generation']}); "
            f"it is rebuilt with the project's model ({generation})."
        )
    generation_dir = folder / generation
    manifest = read_json(generation_dir / MANIFEST_FILE) or {}
    if manifest.get("chunk_rows") != settings.chunk_rows:
        manifest = {"generation": generation, "chunk_rows": settings.chunk_rows, "pools": {}}
    total = max(sum(rows.size for rows in pools.values()), 1)
    done, embedded = 0, 0
    for name, rows in pools.items():
        entries, changed = _embed_pool(generation_dir, manifest, name, rows, embed, settings,
                                       lambda scanned, base=done: _report(progress, base + scanned, total))  # fmt: skip
        embedded += changed
        done += rows.size
    dim = int(manifest.get("dim") or 0)
    described, vectors = {}, {}
    for name, rows in pools.items():
        described[name], vectors[name] = _assemble_pool(
            generation_dir, manifest, name, rows.size, dim
        )
    search, search_meta = _source_search(generation_dir, described, vectors, settings, current)
    write_json(folder / CURRENT_FILE,
               {"generation": generation, "dim": dim, "pools": described, "search": search_meta})  # fmt: skip
    _drop_other_chunks(folder, generation)
    if embedded and current.get("generation") == generation:
        notes.append(f"{embedded} new or changed rows were embedded into the pool index.")
    files = {name: f"{generation}/{meta['file']}" for name, meta in described.items()}
    return PoolIndex(folder, generation, vectors, files, search, embedded, notes)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress("indexing", min(done / total, 1.0))


def _embed_pool(generation_dir, manifest, name, rows: PoolRows, embed, settings, scanned):
    """Embed the chunks of one pool that are missing or whose rows changed; returns
    (entries, rows embedded)."""
    entries = {entry["start"]: entry for entry in manifest["pools"].get(name, [])}
    kept, embedded = [], 0
    for start in range(0, rows.size, settings.chunk_rows):
        stop = min(start + settings.chunk_rows, rows.size)
        pairs = rows.read(start, stop)
        if len(pairs) != stop - start:
            raise ValueError(f"pool {name!r}: read({start}, {stop}) gave {len(pairs)} rows")
        digest = rows_digest((key, text_of(example)) for key, example in pairs)
        entry = entries.get(start)
        path = generation_dir / f"{name}-c{start}.npy"
        if not (entry and entry["digest"] == digest and entry["stop"] == stop and path.exists()):
            vectors = np.asarray(embed([example for _, example in pairs]), dtype=np.float32)
            if vectors.shape[0] != stop - start:
                raise ValueError(f"embed gave {vectors.shape[0]} vectors for {stop - start} rows")
            manifest["dim"] = int(vectors.shape[1])
            save_array(path, vectors)
            entry = {"start": start, "stop": stop, "digest": digest}
            embedded += stop - start
        kept.append(entry)
        manifest["pools"][name] = kept + [e for s, e in sorted(entries.items()) if s > start]
        if entry is not entries.get(start):
            write_json(generation_dir / MANIFEST_FILE, manifest)  # a kill keeps this chunk
        scanned(stop)
    manifest["pools"][name] = kept
    write_json(generation_dir / MANIFEST_FILE, manifest)
    return kept, embedded


def _pool_digest(entries: list[dict]) -> str:
    return hashlib.sha256("".join(entry["digest"] for entry in entries).encode()).hexdigest()


def _assemble_pool(generation_dir: Path, manifest, name: str, size: int, dim: int):
    entries = manifest["pools"].get(name, [])
    digest = _pool_digest(entries)
    file = f"{name}-n{size}-{digest[:12]}.npy"
    path = generation_dir / file
    if not path.exists() and size == 0:
        save_array(path, np.zeros((0, dim), dtype=np.float32))
    elif not path.exists():
        parts = (np.load(generation_dir / f"{name}-c{e['start']}.npy") for e in entries)
        assemble(path, parts, size, dim)
    vectors = np.load(path)
    return {"rows": size, "digest": digest, "file": file}, vectors


def _source_search(generation_dir, described, vectors, settings: IndexSettings, current):
    source = vectors["source"]
    if source.shape[0] <= settings.approximate_above:
        return NeighbourSearch(source), {"kind": "exact"}
    file = described["source"]["file"].replace(".npy", ".ivf")
    old = current.get("search", {})
    if old.get("file") == file and (generation_dir / file).exists():
        return read_ivf(generation_dir / file, source, old["nprobe"], old["recall"]), old
    queries = vectors.get("target")
    if queries is None or not len(queries):
        queries = source[:: max(1, len(source) // 256)]

    def chunks():
        for start in range(0, len(source), settings.chunk_rows):
            yield source[start : start + settings.chunk_rows]

    search = build_ivf(chunks, source, queries, min_recall=settings.min_recall)
    write_ivf(search, generation_dir / file)
    return search, {"kind": "ivf", "file": file, "nprobe": search.nprobe, "recall": search.recall}


def _drop_other_chunks(folder: Path, generation: str) -> None:
    """Chunks of other generations go once this one is complete (their assembled pool files
    stay: older rounds' stored scores point at them)."""
    for other in folder.iterdir():
        if other.is_dir() and other.name != generation:
            for chunk in other.glob("*-c*.npy"):
                chunk.unlink(missing_ok=True)
            if not any(other.iterdir()):
                shutil.rmtree(other, ignore_errors=True)


def load_pool_index(folder: str | Path, generation: str) -> PoolIndex | None:
    """The complete index in ``folder`` when it was built with ``generation``, else None."""
    folder = Path(folder)
    current = read_json(folder / CURRENT_FILE)
    if not current or current.get("generation") != generation:
        return None
    generation_dir = folder / generation
    vectors, files = {}, {}
    for name, meta in current["pools"].items():
        path = generation_dir / meta["file"]
        if not path.exists():
            return None
        vectors[name] = np.load(path)
        files[name] = f"{generation}/{meta['file']}"
    meta = current.get("search", {"kind": "exact"})
    if meta["kind"] == "ivf":
        search = read_ivf(
            generation_dir / meta["file"], vectors["source"], meta["nprobe"], meta["recall"]
        )
    else:
        search = NeighbourSearch(vectors["source"])
    return PoolIndex(folder, generation, vectors, files, search)
