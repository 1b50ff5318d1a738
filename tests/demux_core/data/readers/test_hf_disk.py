"""Reading ``save_to_disk`` folders: Dataset, DatasetDict splits, ClassLabel names."""

from __future__ import annotations

import datasets
import pytest

from demux_core.data.examples import SequenceExample, TokenExample
from demux_core.data.readers import read_examples
from demux_core.errors import DataFormatError


@pytest.fixture
def ner_dict(tmp_path):
    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=["O", "B-PER", "I-PER"])),
        }
    )
    train = datasets.Dataset.from_dict(
        {"tokens": [["አበበ", "በሶ"], ["በላ"]], "ner_tags": [[1, 2], [0]]}, features=features
    )
    folder = tmp_path / "amh"
    datasets.DatasetDict({"train": train, "test": train.select([1])}).save_to_disk(str(folder))
    return folder


def test_dataset_dict_split_with_class_label_tags(ner_dict):
    examples = read_examples(ner_dict, split="train")
    assert examples == [
        TokenExample("train-1", "amh", ("አበበ", "በሶ"), ("B-PER", "I-PER")),
        TokenExample("train-2", "amh", ("በላ",), ("O",)),
    ]


def test_dataset_dict_needs_a_known_split(ner_dict):
    with pytest.raises(DataFormatError, match=r"amh: folder holds splits \['test', 'train'\]"):
        read_examples(ner_dict)
    with pytest.raises(DataFormatError, match="no split 'dev'"):
        read_examples(ner_dict, split="dev")


def test_dataset_with_class_label_and_missing_column(tmp_path):
    features = datasets.Features(
        {"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])}
    )
    folder = tmp_path / "sentiment"
    datasets.Dataset.from_dict(
        {"sentence": ["ok", "bad"], "label": [1, 0]}, features=features
    ).save_to_disk(str(folder))
    examples = read_examples(folder, language="arb")
    assert examples[1] == SequenceExample("sentiment-2", "arb", "bad", None, "neg")
    with pytest.raises(DataFormatError, match=r"sentiment:1: missing column 'premise'"):
        read_examples(folder, language="arb", text_column="premise")
