"""Schema versions: which files are ours, each migration applied once and whole."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.errors import StorageUnusable
from kiosk.store import migrations
from kiosk.store.db import Database


def _raw(path):
    return sqlite3.connect(path, isolation_level=None)


def test_a_new_file_carries_the_assettrack_mark_in_its_header(db_path):
    Database(db_path).close()
    # Bytes 68..71 of the header: files written by every release carry "ATR1".
    assert db_path.read_bytes()[68:72] == b"ATR1"
    assert migrations.APPLICATION_ID == 0x41545231


def test_an_empty_file_is_taken_as_new(db_path):
    conn = _raw(db_path)
    migrations.check_compatible(conn, db_path)
    assert migrations.upgrade(conn) == migrations.LATEST
    conn.close()


def test_a_file_with_someone_elses_tables_is_refused(db_path):
    conn = _raw(db_path)
    conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StorageUnusable) as info:
        migrations.check_compatible(conn, db_path)
    assert str(info.value) == f"{db_path} is a SQLite database but not an AssetTrack one"


@pytest.mark.parametrize("mark", [1234, migrations.APPLICATION_ID + 1])
def test_a_file_marked_by_another_application_is_refused(db_path, mark):
    conn = _raw(db_path)
    conn.execute(f"PRAGMA application_id = {mark}")
    with pytest.raises(StorageUnusable) as info:
        migrations.check_compatible(conn, db_path)
    assert str(info.value) == f"{db_path} is not an AssetTrack database"


def test_a_file_from_a_newer_release_is_refused_and_the_latest_is_not(db_path):
    conn = _raw(db_path)
    migrations.upgrade(conn)
    migrations.check_compatible(conn, db_path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    with pytest.raises(StorageUnusable) as info:
        migrations.check_compatible(conn, db_path)
    assert str(info.value) == (
        f"{db_path} has schema version {migrations.LATEST + 1}, newer than this AssetTrack "
        f"knows ({migrations.LATEST}); upgrade AssetTrack"
    )


def test_upgrade_stops_at_the_target_and_resumes_from_there(db_path):
    conn = _raw(db_path)
    assert migrations.upgrade(conn, target=2) == 2
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert tables == {"slots", "assets", "people", "events"}
    assert migrations.upgrade(conn) == migrations.LATEST
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    conn.close()


def test_an_up_to_date_file_is_opened_while_another_process_writes(db_path):
    Database(db_path).close()
    writer = _raw(db_path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        reader = sqlite3.connect(db_path, isolation_level=None, timeout=0)
        assert migrations.upgrade(reader) == migrations.LATEST  # no wait for the write lock
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_migration_another_process_applied_meanwhile_is_not_applied_again(db_path):
    conn = _raw(db_path)
    migrations.upgrade(conn, target=1)
    other = _raw(db_path)

    def other_process_migrates(statement):
        # After this connection read version 1, before it takes the write lock.
        if statement == "BEGIN IMMEDIATE" and migrations.version(other) == 1:
            migrations.upgrade(other, target=2)

    conn.set_trace_callback(other_process_migrates)
    assert migrations.upgrade(conn) == migrations.LATEST
    conn.set_trace_callback(None)
    other.close()
    assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'assets'").fetchone() == (
        1,
    )
    conn.close()


def test_a_migration_that_fails_leaves_the_file_as_it_was(db_path):
    conn = _raw(db_path)
    migrations.upgrade(conn, target=1)
    conn.execute("INSERT INTO slots VALUES ('A', 1, 'LT-1')")
    conn.execute("CREATE TABLE people (badge)")  # somebody's table, in the way of version 2
    with pytest.raises(sqlite3.OperationalError, match="^table people already exists$"):
        migrations.upgrade(conn)
    assert migrations.version(conn) == 1
    assert not conn.in_transaction
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert names == {"slots", "people"}
    assert conn.execute("SELECT * FROM slots").fetchall() == [("A", 1, "LT-1")]
    conn.close()


class _Interleaved:
    """A real connection that lets ``meanwhile`` commit between its first and second statement.

    Two processes opening a new file at once interleave like this; the hook
    makes the unlucky order happen every time instead of once in a thousand.
    """

    def __init__(self, conn, meanwhile):
        self.conn, self.meanwhile, self.calls = conn, meanwhile, 0

    def execute(self, *args):
        self.calls += 1
        if self.calls == 2:
            self.meanwhile()
        return self.conn.execute(*args)


def test_a_new_file_another_opener_migrates_meanwhile_is_not_taken_for_a_stranger(db_path):
    sqlite3.connect(db_path).close()  # a new, empty file
    other = sqlite3.connect(db_path, isolation_level=None)
    mine = sqlite3.connect(db_path, isolation_level=None)
    try:
        migrations.check_compatible(
            _Interleaved(mine, lambda: migrations.upgrade(other, target=1)), db_path
        )
    finally:
        mine.close()
        other.close()
