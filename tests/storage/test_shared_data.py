"""Importing the real evaluation files (skipped where ../shared/data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import create_project


@pytest.mark.shared_data
def test_import_masakhaner_and_sib200(shared_data: Path, tmp_path: Path) -> None:
    ner = create_project(
        tmp_path / "ner.sqlite", "ner", "token", ["PER", "ORG", "LOC", "DATE"], "m"
    )
    count = ner.import_examples("test", shared_data / "masakhaner2" / "hau" / "dev.txt")
    assert count > 100 and ner.pool_size("test") == count
    assert {e.language for e in ner.pool_examples("test")} == {"hau"}
    ner.close()

    folder = shared_data / "sib200" / "hin_Deva"
    labels = folder.joinpath("labels.txt").read_text(encoding="utf-8").split()
    topics = create_project(tmp_path / "sib.sqlite", "sib", "sequence", labels, "m")
    assert topics.import_examples("target", folder / "dev.tsv") == 99
    assert topics.pool_examples("target")[0].language == "hin_Deva"
    topics.close()
