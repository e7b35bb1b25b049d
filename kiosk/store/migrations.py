"""Schema versions, applied in order, each in its own transaction.

The schema version lives in ``PRAGMA user_version``; ``PRAGMA application_id``
marks the file as ours, so AssetTrack never writes into somebody else's
SQLite file. A schema change is deliberate: append a migration here, never
edit one that has shipped, and add a test that upgrades a database made by
the previous version without losing rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from kiosk.errors import StorageUnusable

APPLICATION_ID = 0x41545231  # "AT R1"

# -- version 1: Milestone 7, slot integrity ---------------------------------
V1_SLOTS = """
CREATE TABLE slots (
    case_name         TEXT    NOT NULL CHECK (length(case_name) BETWEEN 1 AND 32),
    slot_position     INTEGER NOT NULL CHECK (slot_position >= 1),
    current_asset_tag TEXT             CHECK (current_asset_tag IS NULL
                                              OR length(current_asset_tag) BETWEEN 1 AND 64),
    UNIQUE (case_name, slot_position)
);
-- An asset occupies at most one slot; enforced here, not only in Python.
CREATE UNIQUE INDEX slots_one_slot_per_asset
    ON slots (current_asset_tag) WHERE current_asset_tag IS NOT NULL;
"""

# -- version 2: Milestone 8, assets, people, custody, event log --------------
V2_CUSTODY = """
CREATE TABLE people (
    badge   TEXT PRIMARY KEY CHECK (length(badge) BETWEEN 1 AND 64),
    name    TEXT NOT NULL,
    created TEXT NOT NULL
);

CREATE TABLE assets (
    tag       TEXT PRIMARY KEY CHECK (length(tag) BETWEEN 1 AND 64),
    name      TEXT NOT NULL DEFAULT '',
    model     TEXT NOT NULL DEFAULT '',
    serial    TEXT NOT NULL DEFAULT '',
    status    TEXT NOT NULL DEFAULT 'IN_STOCK'
              CHECK (status IN ('IN_STOCK', 'IN_CUSTODY', 'REPAIR', 'RETIRED', 'LOST')),
    home_case TEXT,
    home_pos  INTEGER CHECK (home_pos IS NULL OR home_pos >= 1),
    custodian TEXT REFERENCES people (badge) ON DELETE RESTRICT,
    due       TEXT,
    notes     TEXT NOT NULL DEFAULT '',
    created   TEXT NOT NULL,
    updated   TEXT NOT NULL,
    CHECK ((home_case IS NULL) = (home_pos IS NULL)),
    CHECK ((status = 'IN_CUSTODY') = (custodian IS NOT NULL)),
    CHECK (due IS NULL OR custodian IS NOT NULL)
);
CREATE INDEX assets_status ON assets (status);
CREATE INDEX assets_custodian ON assets (custodian) WHERE custodian IS NOT NULL;
CREATE INDEX assets_due ON assets (due) WHERE due IS NOT NULL;

-- Every tag already in a slot becomes a known asset: nothing is dropped.
INSERT INTO assets (tag, created, updated)
    SELECT current_asset_tag, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')
    FROM slots WHERE current_asset_tag IS NOT NULL;

-- Rebuild slots so a slotted tag must be a known asset (SQLite cannot add a
-- foreign key to an existing table).
CREATE TABLE slots_v2 (
    case_name         TEXT    NOT NULL CHECK (length(case_name) BETWEEN 1 AND 32),
    slot_position     INTEGER NOT NULL CHECK (slot_position >= 1),
    current_asset_tag TEXT REFERENCES assets (tag) ON DELETE RESTRICT,
    UNIQUE (case_name, slot_position)
);
INSERT INTO slots_v2 SELECT case_name, slot_position, current_asset_tag FROM slots;
DROP TABLE slots;
ALTER TABLE slots_v2 RENAME TO slots;
CREATE UNIQUE INDEX slots_one_slot_per_asset
    ON slots (current_asset_tag) WHERE current_asset_tag IS NOT NULL;

-- Only an asset IN_STOCK may sit in a slot, whichever table changes.
CREATE TRIGGER slots_hold_only_stock_insert BEFORE INSERT ON slots
WHEN NEW.current_asset_tag IS NOT NULL
 AND (SELECT status FROM assets WHERE tag = NEW.current_asset_tag) IS NOT 'IN_STOCK'
BEGIN SELECT RAISE(ABORT, 'only an asset in stock can occupy a slot'); END;

CREATE TRIGGER slots_hold_only_stock_update BEFORE UPDATE OF current_asset_tag ON slots
WHEN NEW.current_asset_tag IS NOT NULL
 AND (SELECT status FROM assets WHERE tag = NEW.current_asset_tag) IS NOT 'IN_STOCK'
BEGIN SELECT RAISE(ABORT, 'only an asset in stock can occupy a slot'); END;

CREATE TRIGGER assets_leave_slot_first BEFORE UPDATE OF status ON assets
WHEN NEW.status != 'IN_STOCK'
 AND EXISTS (SELECT 1 FROM slots WHERE current_asset_tag = NEW.tag)
BEGIN SELECT RAISE(ABORT, 'an asset must leave its slot before it leaves stock'); END;

-- The event log: append-only, hash-chained (see kiosk.events).
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    time      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    op        TEXT NOT NULL,
    asset     TEXT,
    from_slot TEXT,
    to_slot   TEXT,
    person    TEXT,
    details   TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX events_asset ON events (asset, id) WHERE asset IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"""

# -- version 3: homes are reservations --------------------------------------
# The kiosk proposes "the first free slot" for intake; a slot that is the
# home of an asset out on loan is not free, and finding that must not scan
# every asset.
V3_HOME_INDEX = """
CREATE INDEX assets_home ON assets (home_case, home_pos) WHERE home_case IS NOT NULL;
"""

# -- version 4: Snipe-IT's asset id ------------------------------------------
# A site that also runs Snipe-IT has QR labels holding https://HOST/hardware/ID:
# the kiosk finds the asset by that id, so it is kept, at most once per asset.
V4_SNIPEIT_ID = """
ALTER TABLE assets ADD COLUMN snipeit_id INTEGER CHECK (snipeit_id IS NULL OR snipeit_id >= 1);
CREATE UNIQUE INDEX assets_snipeit_id ON assets (snipeit_id) WHERE snipeit_id IS NOT NULL;
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        # executescript() would COMMIT first; run statement by statement to
        # stay inside the migration's transaction.
        for statement in _split(sql):
            conn.execute(statement)

    return run


def _split(sql: str) -> list[str]:
    """Split a script into complete statements (triggers contain ';').

    A comment line stays with the statement after it: ``complete_statement``
    reads comments as SQLite does, and SQLite keeps an object's SQL from its
    ``CREATE`` on, so a comment never reaches the schema.
    """
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


# (version, what builds it), in order; each version's comment above its SQL says what it is.
MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [
    (1, _script(V1_SLOTS)),
    (2, _script(V2_CUSTODY)),
    (3, _script(V3_HOME_INDEX)),
    (4, _script(V4_SNIPEIT_ID)),
]
LATEST = MIGRATIONS[-1][0]


def version(conn: sqlite3.Connection) -> int:
    """The schema version the file says it has (0 for a new file)."""
    number: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return number


def check_compatible(conn: sqlite3.Connection, path: Path | str) -> None:
    """Refuse a file that is not ours, or is newer than this code."""
    # One statement, so one snapshot: read apart, another process's first
    # migration could commit in between (tables but no mark yet, or the
    # mark with version 1) and a new file would look like a stranger's.
    app_id, ver, has_tables = conn.execute(
        "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_schema)"
        " FROM pragma_application_id() AS a, pragma_user_version() AS v"
    ).fetchone()
    if app_id == 0 and ver == 0:
        if has_tables:
            raise StorageUnusable(f"{path} is a SQLite database but not an AssetTrack one")
        return
    if app_id != APPLICATION_ID:
        raise StorageUnusable(f"{path} is not an AssetTrack database")
    if ver > LATEST:
        raise StorageUnusable(
            f"{path} has schema version {ver}, newer than this AssetTrack knows ({LATEST}); "
            "upgrade AssetTrack"
        )


def upgrade(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply every migration above the file's version up to ``target``."""
    current = version(conn)
    for number, run in MIGRATIONS:
        if current < number <= target:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Re-read under the write lock: another process may have migrated.
                if version(conn) >= number:
                    conn.execute("ROLLBACK")
                    continue
                run(conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            current = number
    return version(conn)
