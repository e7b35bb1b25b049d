"""SQLite's failures reach callers as the typed errors of kiosk.errors, each with its words.

``translate`` reads an error's name (``sqlite_errorname``) and, for an error
that carries none (one raised by Python code, not by SQLite), its message;
either one is enough. Where SQLite can be made to fail for real here (a
held lock, a broken constraint, a damaged file, a directory for a file) it
does; a full disk and an I/O error need a small file system (root).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest

from kiosk.errors import (
    HardStop,
    NoDatabase,
    StorageBusy,
    StorageError,
    StorageFull,
    StorageUnusable,
)
from kiosk.store import db as dbmod
from kiosk.store.db import Database, translate, why_cantopen
from tests.store.helpers import unwritable

FULL = "storage full: the database cannot grow; free space and retry"
BUSY = "database busy: another process holds it; try again"


def _error(message, name=None, kind=sqlite3.OperationalError):
    exc = kind(message)
    if name is not None:
        exc.sqlite_errorname = name
    return exc


# SQLite's name for the error, what it says -> the type and message callers get.
BY_NAME = {
    "SQLITE_FULL": (StorageFull, FULL),
    "SQLITE_BUSY": (StorageBusy, BUSY),
    "SQLITE_BUSY_SNAPSHOT": (StorageBusy, BUSY),
    "SQLITE_LOCKED": (StorageBusy, BUSY),
    "SQLITE_READONLY_DBMOVED": (StorageUnusable, "database is read-only: failed"),
    "SQLITE_NOTADB": (StorageUnusable, "database file is damaged or not a database: failed"),
    "SQLITE_CORRUPT": (StorageUnusable, "database file is damaged or not a database: failed"),
    "SQLITE_IOERR_WRITE": (StorageError, "disk I/O error: failed"),
    "SQLITE_ERROR": (StorageError, "database error: failed"),
}

BY_MESSAGE = {
    "database or disk is full": (StorageFull, FULL),
    "database is locked": (StorageBusy, BUSY),
    "database table is locked": (StorageBusy, BUSY),
    "attempt to write a readonly database": (
        StorageUnusable,
        "database is read-only: attempt to write a readonly database",
    ),
    "file is not a database": (
        StorageUnusable,
        "database file is damaged or not a database: file is not a database",
    ),
    "no such table: x": (StorageError, "database error: no such table: x"),
}


@pytest.mark.parametrize("name", list(BY_NAME))
def test_an_error_is_told_by_its_sqlite_name(name):
    kind, message = BY_NAME[name]
    found = translate(_error("failed", name))
    assert (type(found), str(found)) == (kind, message)


@pytest.mark.parametrize("text", list(BY_MESSAGE))
def test_an_error_without_a_name_is_told_by_its_message(text):
    kind, message = BY_MESSAGE[text]
    found = translate(_error(text))
    assert (type(found), str(found)) == (kind, message)


def test_a_broken_constraint_is_a_hard_stop_naming_it(stocked):
    with pytest.raises(HardStop) as info, stocked.write() as conn:
        conn.execute("INSERT INTO people VALUES ('0042', 'Again', 'x')")
    assert str(info.value) == "refused by the database: UNIQUE constraint failed: people.badge"
    assert stocked.conn.execute("SELECT name FROM people WHERE badge = '0042'").fetchall() == [
        ("Alice Ng",)
    ]


def test_a_write_lock_held_elsewhere_is_busy_after_the_timeout(db_path):
    Database(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiting = Database(db_path, busy_timeout=0)
        with pytest.raises(StorageBusy) as info, waiting.write():
            pass
        assert str(info.value) == BUSY
        waiting.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_connection_is_unusable_for_writing(db):
    db.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageUnusable) as info, db.write() as conn:
        conn.execute("INSERT INTO people VALUES ('0044', 'Cy', 'x')")
    assert str(info.value) == "database is read-only: attempt to write a readonly database"


def test_a_damaged_file_is_named_damaged(db_path):
    Database(db_path).close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree: sqlite_schema
    db_path.write_bytes(bytes(data))
    with pytest.raises(StorageUnusable, match="^database file is damaged or not a database: "):
        Database(db_path)


def test_a_directory_in_place_of_the_file_cannot_be_opened(tmp_path):
    where = tmp_path / "assettrack.db"
    where.mkdir()
    with pytest.raises(StorageUnusable) as info:
        Database(where)
    assert str(info.value) == f"cannot open database {where}: unable to open database file"


def test_cannot_open_without_a_path_names_what_sqlite_said():
    found = translate(_error("unable to open database file", "SQLITE_CANTOPEN"))
    assert str(found) == "cannot open database : unable to open database file"


def test_cannot_open_names_the_usual_reason(tmp_path):
    shut = tmp_path / "shut"
    shut.mkdir()
    with unwritable(shut, 0o500):
        found = translate(_error("unable to open database file", "SQLITE_CANTOPEN"), shut / "a.db")
    assert (type(found), str(found)) == (
        StorageUnusable,
        f"cannot open database {shut / 'a.db'}: "
        f"no write permission on directory {shut} (WAL needs it)",
    )


def test_no_reason_is_made_up_where_sqlite_should_have_opened(tmp_path):
    there = tmp_path / "there.db"
    there.write_bytes(b"")
    assert why_cantopen(None) == ""
    assert why_cantopen(tmp_path / "new.db") == ""
    assert why_cantopen(there) == ""
    assert (
        why_cantopen(tmp_path / "gone" / "a.db")
        == f"directory {tmp_path / 'gone'} is not reachable"
    )


def test_cannot_open_a_file_without_read_write_permission(tmp_path):
    locked = tmp_path / "locked.db"
    locked.write_bytes(b"")
    with unwritable(locked, 0o400):
        assert why_cantopen(locked) == "no read/write permission on the file"


def test_an_io_error_with_room_on_the_disk_is_an_io_error(tmp_path):
    io = _error("disk I/O error", "SQLITE_IOERR_WRITE")
    for path in (None, tmp_path / "a.db", tmp_path / "gone" / "a.db"):
        found = translate(io, path)
        assert (type(found), str(found)) == (StorageError, "disk I/O error: disk I/O error")


def test_a_file_that_cannot_be_created_says_why(tmp_path):
    (tmp_path / "plain").write_text("")
    with pytest.raises(StorageError) as info:
        Database(tmp_path / "plain" / "sub" / "a.db")
    assert str(info.value) == (
        f"cannot create database at {tmp_path / 'plain' / 'sub' / 'a.db'}: Not a directory"
    )


def test_a_database_where_creating_files_is_not_permitted(tmp_path):
    shut = tmp_path / "shut"
    shut.mkdir()
    with unwritable(shut, 0o555), pytest.raises(StorageUnusable) as info:
        Database(shut / "a.db")
    assert str(info.value) == f"permission denied creating database at {shut / 'a.db'}"
    assert list(shut.iterdir()) == []


def test_a_missing_file_is_not_created_when_creating_is_not_asked(tmp_path):
    absent = tmp_path / "absent.db"
    with pytest.raises(NoDatabase) as info:
        Database(absent, create=False)
    assert str(info.value) == f"no database at {absent}: create one with `assettrack init`"


# -- a small real file system: room, no room, read-only (root) ------------------


def _mount(where, options):
    where.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def mounts(tmp_path):
    made = []

    def mount(name, options):
        where = tmp_path / name
        _mount(where, options)
        made.append(where)
        return where

    yield mount
    for where in made:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_an_io_error_below_one_mebibyte_free_is_a_full_disk(mounts):
    disk = mounts("disk", "size=1m")
    io = _error("disk I/O error", "SQLITE_IOERR_WRITE")
    busy = _error("database is locked", "SQLITE_BUSY")
    # Exactly 1 MiB free is room enough.
    assert type(translate(io, disk / "a.db")) is StorageError
    (disk / "filler").write_bytes(b"\0" * 4096)
    found = translate(io, disk / "a.db")
    assert (type(found), str(found)) == (StorageFull, FULL)
    # Only an I/O error is taken for a full disk; others keep their meaning.
    assert type(translate(busy, disk / "a.db")) is StorageBusy


def test_a_database_that_cannot_be_created_for_want_of_room_is_storage_full(mounts):
    disk = mounts("disk", "size=1m,nr_inodes=2")
    (disk / "taken").write_text("")
    with pytest.raises(StorageFull) as info:
        Database(disk / "a.db")
    assert str(info.value) == f"storage full: cannot create {disk / 'a.db'}"


def test_a_read_only_file_system_is_named(mounts):
    frozen = mounts("frozen", "size=1m,ro")
    assert why_cantopen(frozen / "a.db") == "it is on a read-only file system"


def test_errors_in_a_block_are_translated(tmp_path):
    with pytest.raises(StorageBusy), dbmod.translated(tmp_path / "a.db"):
        raise _error("database is locked", "SQLITE_BUSY")
    # Not SQLite's: passes through as it is.
    with pytest.raises(KeyError), dbmod.translated():
        raise KeyError("x")
