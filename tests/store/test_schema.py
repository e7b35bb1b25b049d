"""The exact schema check: anything but the migrations' own schema is named."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.errors import StorageUnusable
from kiosk.store import migrations, schema
from kiosk.store.db import Database


def _doctor(path, *sql):
    conn = sqlite3.connect(path)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _differences(path):
    conn = sqlite3.connect(path)
    try:
        return schema.differences(conn)
    finally:
        conn.close()


def test_what_the_migrations_create_is_accepted(db_path):
    Database(db_path).close()
    assert _differences(db_path) == []
    Database(db_path, exact_schema=True).close()


def test_the_reference_is_built_once_per_version():
    schema.reference.cache_clear()
    schema.reference()
    schema.reference()
    info = schema.reference.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    assert len(schema.reference(1)) < len(schema.reference(migrations.LATEST))


def test_whitespace_and_a_trailing_semicolon_are_not_differences():
    assert schema.normalise("CREATE  INDEX x\n  ON t (a);  ") == "CREATE INDEX x ON t (a)"


NOTE_REWRITER = (
    "CREATE TRIGGER rewrite_notes AFTER INSERT ON events "
    "BEGIN UPDATE assets SET notes = 'owned'; END"
)


@pytest.mark.parametrize(
    "sql, named",
    [
        (["DROP TRIGGER events_no_delete"], ["trigger events_no_delete missing"]),
        ([NOTE_REWRITER], ["unexpected trigger rewrite_notes on events"]),
        (["CREATE TABLE big (x BLOB)"], ["unexpected table big"]),
        (["CREATE INDEX sneaky ON assets (notes)"], ["unexpected index sneaky on assets"]),
        (
            [
                "DROP TRIGGER events_no_update",
                "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
                "WHEN 0 BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
            ],
            ["trigger events_no_update differs from the one AssetTrack creates"],
        ),
        (
            [
                "ALTER TABLE events RENAME TO old_events",
                "CREATE VIEW events AS SELECT * FROM old_events",
            ],
            ["events is a view, not a table", "unexpected table old_events"],
        ),
        (["ALTER TABLE assets ADD COLUMN extra TEXT"], ["table assets differs"]),
    ],
    ids=["dropped", "extra trigger", "extra table", "extra index", "changed", "view", "column"],
)
def test_each_difference_is_named(db_path, sql, named):
    Database(db_path).close()
    _doctor(db_path, *sql)
    found = _differences(db_path)
    for words in named:
        assert any(words in line for line in found), found
    with pytest.raises(StorageUnusable, match="schema is not the one AssetTrack creates"):
        Database(db_path, exact_schema=True)


def test_an_older_file_is_compared_with_its_own_version_before_it_is_migrated(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.upgrade(conn, 2)
    conn.execute("CREATE TRIGGER sneaky AFTER INSERT ON events BEGIN SELECT 1; END")
    conn.close()
    with pytest.raises(StorageUnusable, match="unexpected trigger sneaky on events"):
        Database(db_path, exact_schema=True)
    conn = sqlite3.connect(db_path)
    assert migrations.version(conn) == 2  # refused before anything was written
    conn.close()


def test_only_the_trailing_semicolon_is_dropped():
    # A view over a table whose name ends in a letter keeps every letter of it.
    assert schema.normalise("CREATE VIEW v AS SELECT * FROM BOX;") == (
        "CREATE VIEW v AS SELECT * FROM BOX"
    )


def test_sqlites_own_indexes_have_no_sql_and_match():
    """Autoindexes (a PRIMARY KEY, a UNIQUE column) are rows without SQL, in both schemas."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    found = schema.objects(conn)
    conn.close()
    assert found[("index", "sqlite_autoindex_t_1")] == ("t", "")
    assert found[("table", "t")] == ("t", "CREATE TABLE t (k TEXT PRIMARY KEY)")


@pytest.mark.parametrize(
    "sql, named",
    [
        (["DROP TRIGGER events_no_delete"], ["trigger events_no_delete missing"]),
        (["CREATE TABLE big (x BLOB)"], ["unexpected table big"]),
        (["CREATE VIEW summary AS SELECT tag FROM assets"], ["unexpected view summary"]),
        (["CREATE INDEX sneaky ON assets (notes)"], ["unexpected index sneaky on assets"]),
        ([NOTE_REWRITER], ["unexpected trigger rewrite_notes on events"]),
        (
            ["ALTER TABLE people ADD COLUMN extra TEXT"],
            ["table people differs from the one AssetTrack creates"],
        ),
        (
            [
                "DROP TABLE people",
                "CREATE VIEW people AS SELECT 'x' AS badge, 'y' AS name, 'z' AS created",
                "CREATE VIEW zz_report AS SELECT tag FROM assets",
            ],
            [
                "index sqlite_autoindex_people_1 missing",
                "people is a view, not a table",
                "unexpected view zz_report",
            ],
        ),
    ],
    ids=["dropped", "extra table", "extra view", "extra index", "extra trigger", "column", "view"],
)
def test_each_difference_is_one_exact_line(db_path, sql, named):
    Database(db_path).close()
    _doctor(db_path, *sql)
    assert _differences(db_path) == named


def test_the_refusal_names_the_file_and_the_first_differences(db_path):
    Database(db_path).close()
    _doctor(db_path, "DROP TRIGGER events_no_delete", "CREATE TABLE big (x BLOB)")
    with pytest.raises(StorageUnusable) as refused:
        Database(db_path, exact_schema=True)
    assert refused.value.message == (
        f"{db_path}: schema is not the one AssetTrack creates: "
        "trigger events_no_delete missing; unexpected table big"
    )


def test_a_long_list_of_differences_names_five_and_counts_the_rest(db_path):
    Database(db_path).close()
    triggers = [k[1] for k, _t, _s in schema.reference() if k[0] == "trigger"]
    _doctor(db_path, *(f"DROP TRIGGER {name}" for name in triggers))
    five = _differences(db_path)
    assert five == [f"trigger {name} missing" for name in triggers] and len(five) == 5
    assert schema.describe(five) == "; ".join(five)
    _doctor(db_path, "CREATE TABLE big (x BLOB)")
    six = _differences(db_path)
    assert schema.describe(six) == "; ".join(five) + "; and 1 more"
    _doctor(db_path, "CREATE TABLE bigger (x BLOB)")
    assert schema.describe(_differences(db_path)) == "; ".join(five) + "; and 2 more"
    assert schema.describe(six, limit=2) == f"{six[0]}; {six[1]}; and 4 more"
