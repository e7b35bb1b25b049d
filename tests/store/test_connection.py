"""The connection every reader and writer shares: opening, waiting, what a commit leaves."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from kiosk.domain import people
from kiosk.errors import StorageBusy, StorageUnusable
from kiosk.store import db as dbmod
from kiosk.store import heads, migrations
from kiosk.store.db import Database

ACTOR = "test"


def test_a_connection_serves_a_thread_that_did_not_open_it(stocked):
    # The daemon opens the database before its loop and socket threads use it.
    seen = []
    reader = threading.Thread(
        target=lambda: seen.append(stocked.conn.execute("SELECT count(*) FROM assets").fetchone())
    )
    reader.start()
    reader.join()
    assert seen == [(4,)]


def test_only_the_daemon_refuses_a_schema_that_is_not_exactly_ours(db_path):
    Database(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    Database(db_path).close()  # the CLI still opens it (doctor names the difference)
    with pytest.raises(StorageUnusable) as info:
        Database(db_path, exact_schema=True)
    assert str(info.value) == (
        f"{db_path}: schema is not the one AssetTrack creates: unexpected table notes"
    )


def _old_file_being_migrated(db_path):
    """A schema-1 file (rollback journal) and a connection holding its write lock, as a
    process migrating it does."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.upgrade(conn, target=1)
    conn.close()
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO slots VALUES ('A', 1, NULL)")
    return holder


def test_an_opener_waits_while_another_process_migrates_the_file(db_path):
    holder = _old_file_being_migrated(db_path)
    # SQLite answers "locked" at once here, not through the busy timeout.
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        database = Database(db_path, busy_timeout=30)
    finally:
        release.join()
        holder.close()
    with database:
        assert database.journal_mode == "wal"
        assert migrations.version(database.conn) == migrations.LATEST
        assert database.conn.execute("SELECT * FROM slots").fetchall() == [("A", 1, None)]


def test_an_opener_gives_up_when_the_file_stays_locked(db_path):
    holder = _old_file_being_migrated(db_path)
    try:
        with pytest.raises(StorageBusy) as info:
            Database(db_path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(info.value) == "database busy: another process holds it; try again"


def test_a_commit_that_appends_events_records_the_head_beside_the_file(db, db_path):
    assert heads.read(db_path) is None
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    first = db.current_head()
    assert first.id == 1 and heads.read(db_path) == first
    people.add_person(db, "0043", "Bob Okafor", actor=ACTOR)
    assert heads.read(db_path) == db.current_head() != first


def test_data_version_moves_only_when_another_connection_commits(db_path):
    with Database(db_path) as kiosk, Database(db_path) as cli:
        start = kiosk.data_version()
        assert isinstance(start, int) and kiosk.data_version() == start
        people.add_person(kiosk, "0042", "Alice Ng", actor=ACTOR)
        assert kiosk.data_version() == start  # its own commit
        people.add_person(cli, "0043", "Bob Okafor", actor=ACTOR)
        assert kiosk.data_version() != start


def test_the_first_state_directory_holds_the_database(monkeypatch):
    monkeypatch.setenv("STATE_DIRECTORY", "/srv/one:/srv/two")
    assert dbmod.default_path() == Path("/srv/one/assettrack.db")


def test_root_uses_the_system_database(monkeypatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setattr(dbmod.os, "geteuid", lambda: 0)
    assert dbmod.default_path() == Path("/var/lib/assettrack/assettrack.db")


def test_a_developer_without_a_kiosk_uses_the_home_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(dbmod, "SYSTEM_DIR", tmp_path / "no-kiosk")
    monkeypatch.setattr(dbmod.os, "geteuid", lambda: 1000)
    assert dbmod.default_path() == tmp_path / ".local" / "share" / "assettrack" / "assettrack.db"


@pytest.mark.parametrize(("directory", "mode"), [(0o750, 0o640), (0o2770, 0o660)])
def test_a_new_database_is_as_shared_as_its_directory(tmp_path, directory, mode):
    # Group-writable in the installed kiosk's setgid state directory, for staff.
    where = tmp_path / "state"
    where.mkdir()
    where.chmod(directory)
    Database(where / "assettrack.db").close()
    assert stat.S_IMODE((where / "assettrack.db").stat().st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files away")
def test_a_database_root_creates_belongs_to_its_directory_owner(tmp_path):
    where = tmp_path / "state"
    where.mkdir()
    os.chown(where, 1234, 1235)
    Database(where / "assettrack.db").close()
    made = (where / "assettrack.db").stat()
    assert (made.st_uid, made.st_gid) == (1234, 1235)


def _open_files():
    return sorted(os.listdir("/proc/self/fd"))


def test_a_closed_database_holds_no_file_open(db_path):
    before = _open_files()
    database = Database(db_path)
    people.add_person(database, "0042", "Alice Ng", actor=ACTOR)  # the head file is open now
    database.close()
    assert _open_files() == before


class _Unrecorded(Database):
    records_head = False


def test_a_database_that_records_no_head_writes_none_and_closes(db_path):
    database = _Unrecorded(db_path)
    people.add_person(database, "0042", "Alice Ng", actor=ACTOR)
    database.close()
    assert heads.read(db_path) is None
