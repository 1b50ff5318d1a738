"""The pool index: built once, resumed after a kill, extended on import, rebuilt on a new model."""

import json

import numpy as np
import pytest

from demux_core.data.examples import SequenceExample
from demux_core.index import IndexSettings, PoolRows, build_pool_index, load_pool_index
from demux_core.index.files import CURRENT_FILE


def _pool(prefix: str, n: int, changed: dict[int, str] | None = None) -> list[SequenceExample]:
    changed = changed or {}
    return [SequenceExample(f"{prefix}{i}", "hau", changed.get(i, f"{prefix} sentence {i}"))
            for i in range(n)]  # fmt: skip


def _rows(examples) -> PoolRows:
    return PoolRows(len(examples), lambda a, b: [(e.id, e) for e in examples[a:b]])


class Embedder:
    """A deterministic fake encoder (a hash of the text) that counts what it embeds."""

    def __init__(self, fail_after: int | None = None, dim: int = 8):
        self.calls, self.rows, self.fail_after, self.dim = 0, 0, fail_after, dim

    def __call__(self, examples):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt("killed")
        self.calls += 1
        self.rows += len(examples)
        seeds = [sum(map(ord, e.text)) * 7919 + len(e.text) for e in examples]
        return np.stack([np.random.default_rng(s).normal(size=self.dim) for s in seeds]).astype(
            np.float32
        )


SETTINGS = IndexSettings(chunk_rows=10)


def _build(folder, source, target, embed, generation="model-a", settings=SETTINGS, progress=None):
    pools = {"source": _rows(source), "target": _rows(target)}
    return build_pool_index(folder, generation, pools, embed, settings, progress)


def test_builds_once_then_reuses_everything(tmp_path):
    source, target = _pool("s", 35), _pool("t", 12)
    embed, seen = Embedder(), []
    index = _build(
        tmp_path, source, target, embed, progress=lambda stage, f: seen.append((stage, f))
    )
    assert index.vectors["source"].shape == (35, 8) and index.vectors["target"].shape == (12, 8)
    assert embed.rows == 47 and index.embedded == 47
    assert seen[-1] == ("indexing", 1.0) and all(stage == "indexing" for stage, _ in seen)
    expected = Embedder()(source)
    np.testing.assert_array_equal(index.vectors["source"], expected)
    again = Embedder()
    reused = _build(tmp_path, source, target, again)
    assert again.rows == 0 and reused.embedded == 0
    np.testing.assert_array_equal(reused.vectors["source"], expected)


def test_a_killed_build_keeps_done_chunks_and_resumes(tmp_path):
    source, target = _pool("s", 35), _pool("t", 12)
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path, source, target, Embedder(fail_after=2))
    assert load_pool_index(tmp_path, "model-a") is None  # never half-published
    resumed = Embedder()
    index = _build(tmp_path, source, target, resumed)
    assert resumed.rows == 35 + 12 - 20  # the two finished chunks were kept
    np.testing.assert_array_equal(index.vectors["source"], Embedder()(source))


def test_an_import_embeds_only_new_rows_and_a_changed_row_its_chunk(tmp_path):
    _build(tmp_path, _pool("s", 35), _pool("t", 12), Embedder())
    grown = Embedder()
    index = _build(tmp_path, _pool("s", 52), _pool("t", 12), grown)
    assert grown.rows == 52 - 30  # the partial last chunk (30..35) and the new rows
    assert any("new or changed rows" in note for note in index.notes)
    edited = Embedder()
    index = _build(tmp_path, _pool("s", 52, {13: "an edited sentence"}), _pool("t", 12), edited)
    assert edited.rows == 10
    np.testing.assert_array_equal(
        index.vectors["source"][13], Embedder()([_pool("s", 52, {13: "an edited sentence"})[13]])[0]
    )


def test_another_model_is_detected_and_rebuilt_never_used(tmp_path):
    source, target = _pool("s", 25), _pool("t", 5)
    _build(tmp_path, source, target, Embedder())
    assert load_pool_index(tmp_path, "model-b") is None
    other = Embedder(dim=4)
    index = _build(tmp_path, source, target, other, generation="model-b")
    assert other.rows == 30 and index.vectors["source"].shape == (25, 4)
    assert any("another model" in note for note in index.notes)
    assert json.loads((tmp_path / CURRENT_FILE).read_text())["generation"] == "model-b"


def test_a_rebuild_killed_midway_leaves_the_old_index_usable(tmp_path):
    source, target = _pool("s", 25), _pool("t", 5)
    old = _build(tmp_path, source, target, Embedder())
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path, source, target, Embedder(fail_after=1), generation="model-b")
    kept = load_pool_index(tmp_path, "model-a")
    np.testing.assert_array_equal(kept.vectors["source"], old.vectors["source"])


def test_large_pools_get_an_approximate_index_with_measured_recall(tmp_path):
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, 16)) * 4
    vectors = (centres[rng.integers(0, 40, 4000)] + rng.normal(size=(4000, 16))).astype(np.float32)
    source, target = _pool("s", 4000), _pool("t", 60)
    lookup = {e.id: v for e, v in zip(source, vectors, strict=True)}
    queries = {e.id: vectors[i * 50] + 0.1 for i, e in enumerate(target)}

    def embed(examples):
        return np.stack([lookup.get(e.id, queries.get(e.id)) for e in examples]).astype(np.float32)

    settings = IndexSettings(chunk_rows=500, approximate_above=1000, min_recall=0.98)
    index = _build(tmp_path, source, target, embed, settings=settings)
    assert index.search.kind == "ivf" and index.search.recall >= 0.98
    reloaded = load_pool_index(tmp_path, "model-a")
    assert reloaded.search.kind == "ivf" and reloaded.search.nprobe == index.search.nprobe
    found = reloaded.search.search(index.vectors["target"], 16)
    assert found.shape == (60, 16) and (found >= 0).all()


def test_the_build_reads_the_pool_in_chunks_only(tmp_path):
    source, target = _pool("s", 95), _pool("t", 12)
    spans = []

    def read(start, stop):
        spans.append(stop - start)
        return [(e.id, e) for e in source[start:stop]]

    pools = {"source": PoolRows(len(source), read), "target": _rows(target)}
    index = build_pool_index(tmp_path, "model-a", pools, Embedder(), SETTINGS)
    assert max(spans) == SETTINGS.chunk_rows and sum(spans) == 95
    assert index.vectors["source"].shape == (95, 8)


def test_a_failed_assembly_keeps_the_last_index_and_the_next_build_recovers(tmp_path, monkeypatch):
    import demux_core.index.build as build

    first = _build(tmp_path, _pool("s", 35), _pool("t", 12), Embedder())

    def broken(path, parts, rows, dim):
        path.with_name(path.name + ".tmp.npy").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(build, "assemble", broken)
    with pytest.raises(OSError, match="disk full"):
        _build(tmp_path, _pool("s", 52), _pool("t", 12), Embedder())
    kept = load_pool_index(tmp_path, "model-a")
    np.testing.assert_array_equal(kept.vectors["source"], first.vectors["source"])
    monkeypatch.undo()
    again = Embedder()
    grown = _build(tmp_path, _pool("s", 52), _pool("t", 12), again)
    assert grown.vectors["source"].shape == (52, 8) and again.rows == 0  # every chunk was kept
    assert not list(tmp_path.rglob("*.tmp*"))
