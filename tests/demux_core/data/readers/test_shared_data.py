"""The shared-data helpers, and the real MasakhaNER 2.0 / SIB-200 files where present."""

from __future__ import annotations

import pytest

from demux_core.data.readers import (
    deterministic_sample,
    masakhaner_languages,
    read_examples,
    read_masakhaner,
    read_sib200,
    shared_data_dir,
    sib200_labels,
    sib200_languages,
)


def test_deterministic_sample_is_seeded_ordered_and_bounded():
    items = list(range(100))
    first = deterministic_sample(items, 10, seed=3)
    assert first == deterministic_sample(items, 10, seed=3)
    assert first != deterministic_sample(items, 10, seed=4)
    assert first == sorted(first) and len(set(first)) == 10
    assert deterministic_sample(items, 500, seed=0) == items
    with pytest.raises(ValueError):
        deterministic_sample(items, -1, seed=0)


def test_shared_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DEMUX_DATA", str(tmp_path))
    assert shared_data_dir() == tmp_path
    assert masakhaner_languages() == ()


def test_plain_folder_with_split_picks_the_file(write_file):
    path = write_file("dev.txt", "Musa B-PER\n")
    assert read_examples(path.parent, split="dev")[0].id == "dev-1"


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("lang", "train", "dev", "test"),
    [("hau", 5716, 816, 1633), ("xho", 5718, 817, 1633), ("fon", 4343, 623, 1228)],
)
def test_masakhaner_all_splits(shared_data, lang, train, dev, test):
    counts = [len(read_masakhaner(lang, split, shared_data)) for split in ("train", "dev", "test")]
    assert counts == [train, dev, test]
    sentence = read_masakhaner(lang, "train", shared_data)[0]
    assert sentence.language == lang and len(sentence.tokens) == len(sentence.tags)
    assert len(masakhaner_languages(shared_data)) == 16


@pytest.mark.shared_data
@pytest.mark.parametrize("lang", ["amh_Ethi", "arb_Arab", "mya_Mymr"])
def test_sib200_all_splits(shared_data, lang):
    splits = {split: read_sib200(lang, split, shared_data) for split in ("train", "dev", "test")}
    assert {split: len(rows) for split, rows in splits.items()} == {
        "train": 701,
        "dev": 99,
        "test": 204,
    }
    assert {e.label for e in splits["train"]} == set(sib200_labels(shared_data))
    assert len(sib200_labels(shared_data)) == 7
    train_ids = {e.id for e in splits["train"]}
    assert train_ids.isdisjoint(e.id for e in splits["test"])
    assert len(sib200_languages(shared_data)) == 30


@pytest.mark.shared_data
def test_sib200_accepts_iso_code_and_ids_align_across_languages(shared_data):
    hausa = read_sib200("hau", "dev", shared_data)
    english = read_sib200("eng_Latn", "dev", shared_data)
    assert [e.id for e in hausa] == [e.id for e in english]
    assert hausa[0].language == "hau_Latn"
