"""The project file's tables, as a list of forward migrations.

``PRAGMA user_version`` holds the schema version. Version ``i + 1`` is reached by running
``MIGRATIONS[i]`` (version 0 = empty file). Each migration runs in one transaction with
the ``user_version`` bump, so a crash leaves the file at the old or the new version.

History
-------
1. Project, examples, rounds, selections, annotations.
2. Round stage / progress / updated_at; model scores (uncertainty, predictions,
   embeddings file), 2-D projections for the map.
3. Claims: which annotation session is showing which selected example (a lease), so two
   annotators are never served the same item at once.
4. The annotator's active time per annotation (seconds from display to commit, idle gaps
   cut off; NULL for rows saved before, or without a browser).
5. The annotation's slot: ``first`` (the item's label), ``second`` (a second annotator's
   label of an overlap item) or ``review`` (a reviewer's decision); rows saved before are
   ``first``.
"""

from __future__ import annotations

import sqlite3

POOLS = ("source", "target", "test", "seed")
ROUND_STATUSES = ("selecting", "annotating", "training", "scoring", "done", "failed")
ANNOTATION_KINDS = ("label", "skip", "flag")
ANNOTATION_SLOTS = ("first", "second", "review")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


V1_DDL = f"""
CREATE TABLE project (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    task TEXT NOT NULL CHECK (task IN ('token', 'sequence', 'pair', 'qa')),
    labels TEXT NOT NULL,
    model_spec TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE examples (
    id INTEGER PRIMARY KEY,
    pool TEXT NOT NULL CHECK (pool IN {_in(POOLS)}),
    position INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    language TEXT NOT NULL,
    content TEXT NOT NULL,
    gold TEXT,
    UNIQUE (pool, external_id),
    UNIQUE (pool, position)
);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    strategy TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN {_in(ROUND_STATUSES)}),
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    timings TEXT NOT NULL DEFAULT '{{}}',
    model_version TEXT,
    checkpoint_path TEXT,
    metrics TEXT NOT NULL DEFAULT '{{}}',
    error TEXT
);
CREATE TABLE selections (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    example_key INTEGER NOT NULL REFERENCES examples(id),
    rank INTEGER NOT NULL,
    uncertainty REAL,
    distance REAL,
    k INTEGER,
    UNIQUE (round_id, example_key),
    UNIQUE (round_id, rank)
);
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    example_key INTEGER NOT NULL REFERENCES examples(id),
    round_id INTEGER REFERENCES rounds(id),
    annotator TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN {_in(ANNOTATION_KINDS)}),
    labels TEXT,
    created_at TEXT NOT NULL,
    superseded_by INTEGER REFERENCES annotations(id),
    undone_at TEXT
);
CREATE INDEX annotations_by_example ON annotations (example_key, id);
"""

V2_DDL = """
ALTER TABLE rounds ADD COLUMN stage TEXT;
ALTER TABLE rounds ADD COLUMN progress REAL;
ALTER TABLE rounds ADD COLUMN updated_at TEXT;
CREATE TABLE score_sets (
    id INTEGER PRIMARY KEY,
    model_version TEXT NOT NULL,
    round_id INTEGER REFERENCES rounds(id),
    pool TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    embedding_dim INTEGER NOT NULL,
    embeddings_file TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (model_version, pool)
);
CREATE TABLE example_scores (
    score_set_id INTEGER NOT NULL REFERENCES score_sets(id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    example_key INTEGER NOT NULL REFERENCES examples(id),
    uncertainty REAL NOT NULL,
    prediction TEXT,
    PRIMARY KEY (score_set_id, row)
) WITHOUT ROWID;
CREATE TABLE projections (
    model_version TEXT NOT NULL,
    row INTEGER NOT NULL,
    example_key INTEGER NOT NULL REFERENCES examples(id),
    x REAL NOT NULL,
    y REAL NOT NULL,
    PRIMARY KEY (model_version, row)
) WITHOUT ROWID;
"""

V3_DDL = """
CREATE TABLE claims (
    example_key INTEGER PRIMARY KEY REFERENCES examples(id),
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    session TEXT NOT NULL,
    annotator TEXT NOT NULL,
    claimed_at REAL NOT NULL
);
CREATE INDEX claims_by_session ON claims (session);
"""

V4_DDL = """
ALTER TABLE annotations ADD COLUMN active_seconds REAL;
"""

V5_DDL = f"""
ALTER TABLE annotations ADD COLUMN slot TEXT NOT NULL DEFAULT 'first'
    CHECK (slot IN {_in(ANNOTATION_SLOTS)});
CREATE INDEX annotations_by_slot ON annotations (example_key, slot, id);
"""

MIGRATIONS: tuple[str, ...] = (V1_DDL, V2_DDL, V3_DDL, V4_DDL, V5_DDL)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a DDL script (no ``;`` inside literals) into single statements."""
    return [part.strip() for part in script.split(";") if part.strip()]


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migration(conn: sqlite3.Connection, index: int) -> None:
    """Run ``MIGRATIONS[index]`` and set ``user_version = index + 1``.

    The caller holds an open write transaction (DDL is transactional in SQLite).
    """
    for statement in statements(MIGRATIONS[index]):
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {index + 1}")
