"""The history's schema, one step per version, applied forward on start (`PRAGMA user_version`).

Each step is a list of statements rather than a script because `executescript` commits on its own, and
a step must be all-or-nothing: a failed upgrade leaves the database at the version it had.
To change the schema, append a step; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

Migration = Sequence[str]

MIGRATIONS: tuple[Migration, ...] = (
    # version 1: calls with their scores in columns (for trends) and the whole report; one row per turn,
    # written as each turn finishes so a killed call keeps what was said.
    (
        """
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            scenario_id TEXT,
            research TEXT NOT NULL DEFAULT '[]',
            mode TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,
            complete INTEGER NOT NULL DEFAULT 0,
            rigidity REAL,
            value_added REAL,
            next_step REAL,
            report TEXT
        )
        """,
        "CREATE INDEX calls_by_scenario ON calls (scenario_id, started_at, id)",
        """
        CREATE TABLE turns (
            call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            text TEXT NOT NULL,
            start REAL NOT NULL,
            end_time REAL NOT NULL,
            interrupted INTEGER NOT NULL DEFAULT 0,
            heard REAL,
            latency TEXT,
            PRIMARY KEY (call_id, idx)
        )
        """,
    ),
    # version 2: a persona line the persona gave up because the caller was still talking (Turn.yielded).
    ("ALTER TABLE turns ADD COLUMN yielded INTEGER NOT NULL DEFAULT 0",),
    # version 3: the language layer's reading of each caller turn (issue 8).
    ("ALTER TABLE turns ADD COLUMN reading TEXT",),
    # version 4: calls scored from a dialer's recording (issue 13), kept apart from practice calls: their kind,
    # the recording's fingerprint (the same file scored again reuses its transcript) and, as JSON, where it
    # came from (file, caller's channel, who the prospect was, a kept copy of the audio).
    (
        "ALTER TABLE calls ADD COLUMN kind TEXT NOT NULL DEFAULT 'practice'",
        "ALTER TABLE calls ADD COLUMN source_fingerprint TEXT",
        "ALTER TABLE calls ADD COLUMN recording TEXT",
        "CREATE INDEX calls_by_source ON calls (source_fingerprint)",
    ),
)

LATEST_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to `len(migrations)` in one immediate transaction; returns the version.

    The version is read again inside the write lock, so two processes starting at once migrate once.
    The caller has already refused a database newer than `migrations`.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(connection)
        for number, steps in enumerate(migrations[version:], start=version + 1):
            for statement in steps:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number:d}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return max(version, len(migrations))
