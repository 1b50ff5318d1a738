"""Adding, importing and reading examples by pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from demux_core.data.examples import SequenceExample, TokenExample
from demux_core.errors import DataFormatError
from storage import StorageError, create_project
from tests.storage.conftest import qa_examples, sequence_examples, token_examples


def test_examples_come_back_equal_with_positions(store) -> None:
    stored = store.stored_examples("source")
    assert [s.example for s in stored] == sequence_examples(20)
    assert [s.position for s in stored] == list(range(20))
    assert store.pool_sizes() == {"source": 20, "target": 6, "test": 0, "seed": 0}
    assert store.pool_examples("target")[0].label is None
    assert store.get_examples([stored[3].key])[0] == stored[3]
    assert store.example_key("source", "s3") == stored[3].key
    assert store.keys_at_positions("source", [5, 0]) == [stored[5].key, stored[0].key]


def test_appending_continues_positions(store) -> None:
    store.add_examples("source", sequence_examples(3, prefix="extra"))
    assert [s.position for s in store.stored_examples("source")][-3:] == [20, 21, 22]


def test_token_and_qa_examples_round_trip(token_store, tmp_path: Path) -> None:
    token_store.add_examples("seed", token_examples(4))
    assert token_store.pool_examples("seed") == token_examples(4)
    qa = create_project(tmp_path / "qa.sqlite", "qa", "qa", [], "m")
    qa.add_examples("source", qa_examples(3))
    assert qa.pool_examples("source") == qa_examples(3)
    qa.close()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (SequenceExample("x", "hau", "text", None, "cooking"), "not in the label schema"),
        (SequenceExample("x", "hau", "text", "pair", "sports"), "pair example"),
        (TokenExample("x", "hau", ("a",), ("O",)), "token example"),
        (SequenceExample("s2", "hau", "again", None, None), "appears twice"),
    ],
)
def test_bad_example_rejects_the_whole_list(store, bad, message) -> None:
    batch = [*sequence_examples(5, prefix="new"), bad]
    if "twice" in message:
        batch.append(bad)
    with pytest.raises(DataFormatError, match=message):
        store.add_examples("source", batch)
    assert store.pool_size("source") == 20


def test_ids_already_in_pool_are_rejected(store) -> None:
    with pytest.raises(DataFormatError, match="already in pool 'source'"):
        store.add_examples("source", sequence_examples(2, prefix="s"))
    store.add_examples("test", sequence_examples(2, prefix="s"))  # other pool: fine
    assert store.pool_sizes()["source"] == 20


def test_token_tags_are_checked(token_store) -> None:
    bad_count = TokenExample("a", "hau", ("x", "y"), ("O",))
    bad_type = TokenExample("b", "hau", ("x",), ("B-ORG",))
    for bad, message in ((bad_count, "2 tokens but 1 tags"), (bad_type, "B-ORG")):
        with pytest.raises(DataFormatError, match=message):
            token_store.add_examples("source", [bad])
    assert token_store.pool_size("source") == 0


def test_unknown_pool_and_key(store) -> None:
    with pytest.raises(ValueError, match="unknown pool"):
        store.add_examples("train", sequence_examples(1))
    with pytest.raises(StorageError):
        store.get_examples([99999])
    with pytest.raises(StorageError):
        store.example_key("source", "nope")


def _write_tsv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["index_id\tcategory\ttext", *("\t".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_reads_a_file_and_names_bad_lines(store, tmp_path: Path) -> None:
    good = _write_tsv(tmp_path / "good.tsv", [("g1", "sports", "one"), ("g2", "travel", "two")])
    assert store.import_examples("test", good, language="hau") == 2
    assert [e.id for e in store.pool_examples("test")] == ["g1", "g2"]
    again = _write_tsv(tmp_path / "again.tsv", [("n1", "sports", "x"), ("g2", "travel", "y")])
    with pytest.raises(DataFormatError) as info:
        store.import_examples("test", again, language="hau")
    assert info.value.path == str(again) and info.value.line == 3
    bad = _write_tsv(tmp_path / "bad.tsv", [("b1", "sports", "x"), ("b2", "cooking", "y")])
    with pytest.raises(DataFormatError) as info:
        store.import_examples("test", bad, language="hau")
    assert info.value.path == str(bad) and info.value.line == 3
    assert store.pool_size("test") == 2


def test_import_rejects_wrong_encoding(store, tmp_path: Path) -> None:
    path = tmp_path / "latin.tsv"
    path.write_bytes("index_id\tcategory\ttext\nx1\tsports\tcaf\xe9\n".encode("latin-1"))
    with pytest.raises(DataFormatError) as info:
        store.import_examples("test", path, language="hau")
    assert str(path) in str(info.value)
    assert store.pool_size("test") == 0
