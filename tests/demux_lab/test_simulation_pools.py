import pytest

from demux_core.data.examples import SequenceExample
from demux_core.data.readers import write_csv
from demux_core.errors import DemuxError
from demux_lab.simulation.pools import PoolFiles, disjoint_samples, load_pools

TOPICS = ("place", "sport", "science")


def _parallel(folder, lang, ids, split="train"):
    """A parallel-corpus file: the same id is the same sentence in every language."""
    path = folder / lang / f"{split}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [SequenceExample(f"{i}", lang, f"{lang} sentence {i}", label=TOPICS[i % 3]) for i in ids]
    write_csv(rows, path)
    return path


@pytest.fixture
def parallel(tmp_path):
    return {
        "source": [_parallel(tmp_path, lang, range(20)) for lang in ("hau", "yor", "swh")],
        "seed": _parallel(tmp_path, "eng", range(20)),
        "target": _parallel(tmp_path, "wol", range(20, 26), "dev"),
        "test": _parallel(tmp_path, "wol", range(26, 30), "test"),
    }


def _files(parallel, **sizes):
    return PoolFiles(
        "sequence",
        tuple(parallel["source"]),
        parallel["target"],
        parallel["test"],
        parallel["seed"],
        **sizes,
    )


def _raw_ids(examples):
    return [e.id.rsplit(":", 1)[1] for e in examples]


def test_parallel_files_share_ids_unless_asked_to_be_disjoint(parallel):
    shared = load_pools(_files(parallel, source_per_language=5, seed_size=5))
    assert len(set(_raw_ids(shared.source))) == 5  # 3 translations of the same 5 sentences
    assert set(_raw_ids(shared.source)) == set(_raw_ids(shared.seed))

    pools = load_pools(_files(parallel, source_per_language=5, seed_size=5, disjoint_ids=True))
    source, seed = _raw_ids(pools.source), _raw_ids(pools.seed)
    assert len(source) == 15 and len(set(source)) == 15
    assert len(seed) == 5 and not set(seed) & set(source)
    assert [e.language for e in pools.source] == ["hau"] * 5 + ["yor"] * 5 + ["swh"] * 5
    assert (len(pools.target), len(pools.test)) == (6, 4)
    again = load_pools(_files(parallel, source_per_language=5, seed_size=5, disjoint_ids=True))
    assert [e.id for e in again.source] == [e.id for e in pools.source]  # deterministic


def test_disjoint_ids_name_the_file_that_runs_short(parallel):
    with pytest.raises(DemuxError, match=r"swh.*6 examples asked, but only 2 of its 20"):
        load_pools(_files(parallel, source_per_language=6, seed_size=6, disjoint_ids=True))


def test_disjoint_samples_skip_reserved_ids_and_take_the_rest_when_unsized():
    def examples(lang):
        return [SequenceExample(f"{i}", lang, "text", label="place") for i in range(6)]

    first, rest = disjoint_samples(
        [("a", examples("hau"), 2), ("b", examples("yor"), None)], taken={"0"}
    )
    assert "0" not in {e.id for e in first + rest}
    assert len(first) == 2 and len(rest) == 3
    assert not {e.id for e in first} & {e.id for e in rest}
