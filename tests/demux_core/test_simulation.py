import csv
import json

import pytest

from demux_core.cli import main
from demux_core.examples import SequenceExample
from demux_core.readers import write_csv
from demux_core.reporting import read_rows, summary_markdown
from tests.fixtures import tiny_model

tiny_model_dir = tiny_model.tiny_model_dir
SENTENCES = tiny_model.TINY_SENTENCES
CLASSES = ("place", "sport", "science")


def _write(folder, name, lang, n, offset=0):
    path = folder / lang / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        SequenceExample(
            f"{i}", lang, SENTENCES[(i + offset) % len(SENTENCES)], label=CLASSES[i % 3]
        )
        for i in range(n)
    ]
    write_csv(rows, path)
    return path


@pytest.fixture
def data(tmp_path):
    return {
        "source": [_write(tmp_path, "train", lang, 12, i) for i, lang in enumerate(("hau", "yor"))],
        "pool": _write(tmp_path, "dev", "wol", 6),
        "test": _write(tmp_path, "test", "wol", 9, 3),
        "seed": _write(tmp_path, "train", "eng", 9, 5),
    }


def test_simulate_writes_tidy_csv_plot_and_summary(data, tiny_model_dir, tmp_path):
    out = tmp_path / "run"
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", *map(str, data["source"]), "--target-pool", str(data["pool"])]
    argv += ["--target-test", str(data["test"]), "--seed-set", str(data["seed"])]
    argv += ["--strategies", "knn-uncertainty,random,egalitarian", "--seeds", "0,1"]
    argv += ["--budget", "3", "--rounds", "2", "--warm-epochs", "1", "--epochs", "1"]
    argv += ["--out", str(out)]
    assert main(argv) == 0

    rows = read_rows(out / "results.csv")
    assert len(rows) == 3 * 2 * 3  # strategies x seeds x (zero-shot + 2 rounds)
    assert {r.round for r in rows} == {0, 1, 2}
    assert all(r.budget_used == 3 * r.round for r in rows)
    for row in rows:
        assert 0.0 <= row.value <= 1.0 and row.metric == "accuracy"
        assert sum(row.picked.values()) == (3 if row.round else 0)
        assert set(row.picked) <= {"hau", "yor"}
    # the zero-shot model is shared: every run starts from the same figure
    assert len({r.value for r in rows if r.round == 0}) == 1
    # egalitarian splits each batch of 3 over 2 languages as evenly as it can
    assert all(
        sorted(r.picked.values()) == [1, 2] for r in rows if r.strategy == "egalitarian" and r.round
    )
    assert (out / "curves.png").stat().st_size > 1000
    settings = json.loads((out / "settings.json").read_text())
    assert settings["sizes"] == {"source": 24, "target": 6, "test": 9, "seed": 9}
    with open(out / "results.csv", newline="") as handle:
        assert next(csv.reader(handle))[:4] == ["strategy", "seed", "round", "budget_used"]


def test_simulate_reports_bad_input_clearly(data, tiny_model_dir, tmp_path, capsys):
    bad = tmp_path / "bad" / "train.csv"
    bad.parent.mkdir()
    bad.write_bytes(b"text,label\n\xff\xfe broken,place\n")
    argv = ["simulate", "--task", "sequence", "--model", str(tiny_model_dir)]
    argv += ["--source", str(bad), "--target-pool", str(data["pool"]), "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "bad/train.csv:2: not UTF-8" in err


def test_summary_table_has_mean_and_std():
    from demux_core.simulation import ResultRow

    rows = [
        ResultRow("random", s, 1, 10, "accuracy", v, 1.0, {}, {}) for s, v in ((0, 0.5), (1, 0.7))
    ]
    table = summary_markdown(rows)
    assert "| random | 60.0 ± 10.0 |" in table


def test_picks_table_gives_each_strategys_language_shares():
    from demux_core.reporting import picks_markdown, round_seconds
    from demux_core.simulation import ResultRow

    rows = [
        ResultRow("knn", 0, 1, 4, "f1", 0.1, 10.0, {"hau": 3, "ibo": 1}, {}),
        ResultRow("knn", 1, 1, 4, "f1", 0.1, 30.0, {"hau": 1, "ibo": 3}, {}),
        ResultRow("knn", 0, 0, 0, "f1", 0.1, 99.0, {}, {}),
    ]
    table = picks_markdown(rows)
    assert "| strategy | hau | ibo |" in table and "| knn | 50% | 50% |" in table
    assert round_seconds(rows) == (20.0, 30.0)  # the zero-shot row does not count
