"""Forward migration from an older schema keeps the data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import SCHEMA_VERSION, open_project

# The schema as version 1 shipped it, written out by hand (not imported), so that a change
# to the code's version-1 DDL cannot hide a broken migration.
V1_SCHEMA = """
CREATE TABLE project (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL,
  task TEXT NOT NULL CHECK (task IN ('token', 'sequence', 'pair', 'qa')), labels TEXT NOT NULL,
  model_spec TEXT NOT NULL, settings TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE examples (id INTEGER PRIMARY KEY,
  pool TEXT NOT NULL CHECK (pool IN ('source', 'target', 'test', 'seed')),
  position INTEGER NOT NULL, external_id TEXT NOT NULL, language TEXT NOT NULL,
  content TEXT NOT NULL, gold TEXT, UNIQUE (pool, external_id), UNIQUE (pool, position));
CREATE TABLE rounds (id INTEGER PRIMARY KEY, number INTEGER NOT NULL UNIQUE,
  strategy TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN
  ('selecting', 'annotating', 'training', 'scoring', 'done', 'failed')),
  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, timings TEXT NOT NULL DEFAULT '{}',
  model_version TEXT, checkpoint_path TEXT, metrics TEXT NOT NULL DEFAULT '{}', error TEXT);
CREATE TABLE selections (id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id),
  example_key INTEGER NOT NULL REFERENCES examples(id), rank INTEGER NOT NULL, uncertainty REAL,
  distance REAL, k INTEGER, UNIQUE (round_id, example_key), UNIQUE (round_id, rank));
CREATE TABLE annotations (id INTEGER PRIMARY KEY AUTOINCREMENT,
  example_key INTEGER NOT NULL REFERENCES examples(id), round_id INTEGER REFERENCES rounds(id),
  annotator TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('label', 'skip', 'flag')),
  labels TEXT, created_at TEXT NOT NULL, superseded_by INTEGER REFERENCES annotations(id),
  undone_at TEXT);
CREATE INDEX annotations_by_example ON annotations (example_key, id);
INSERT INTO project VALUES (1, 'old', 'sequence', '["sports","travel"]', 'm', '{"k": 2}',
  '2025-01-01T00:00:00+00:00');
INSERT INTO examples VALUES (1, 'source', 0, 'a', 'hau', '{"text":"first","text_pair":null}', NULL);
INSERT INTO examples VALUES (2, 'source', 1, 'b', 'hau', '{"text":"second","text_pair":null}',
  '"travel"');
INSERT INTO rounds (id, number, strategy, config, status, created_at)
  VALUES (1, 1, 'demux', '{}', 'training', '2025-01-01T00:00:00+00:00');
INSERT INTO annotations (example_key, round_id, annotator, kind, labels, created_at)
  VALUES (1, 1, 'ana', 'label', '"sports"', '2025-01-01T00:00:00+00:00');
PRAGMA user_version = 1;
"""


def test_v1_file_is_migrated_with_data_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.close()

    with open_project(path) as store:
        assert store.info().name == "old"
        assert [e.text for e in store.pool_examples("source")] == ["first", "second"]
        assert store.pool_examples("source")[1].label == "travel"
        assert store.current_labels() == {1: "sports"}
        assert store.current_annotations()[1].slot == "first"  # v5: earlier rows fill "first"
        assert [r.id for r in store.interrupted_at_open] == [1]
        assert store.get_round(1).stage is None  # new column, empty for old rows
        store.save_scores("v1", 1, "source", [0.1, 0.2], [None, None], [[1.0], [2.0]])
        assert store.load_scores("v1", "source")[0].tolist() == [0.1, 0.2]
        assert store.integrity_check() == "ok"

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
