"""Backup (one consistent, verified copy) and restore (verified, atomic, the old file kept)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import sqlite3
import stat

import pytest

from kiosk.errors import HardStop, InvalidInput, KioskError, NoDatabase, NotFound, StorageError
from kiosk.store import backup, events, heads, migrations
from kiosk.store.backup import Verified
from kiosk.store.db import Database
from tests.conftest import add, snapshot, tamper
from tests.store.helpers import unwritable

ACTOR = "test"


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def _left_beside(path):
    """Temporary copies, journals and WAL files left in ``path``'s directory."""
    return sorted(
        p.name for p in path.parent.iterdir() if re.search(r"tmp|-wal|-shm|-journal", p.name)
    )


@pytest.fixture
def copy(stocked, db_path, tmp_path):
    """A backup of ``stocked`` taken before LT-AFTER was added to the live file."""
    dest = tmp_path / "copy.db"
    backup.backup(db_path, dest)
    add(stocked, "LT-AFTER")
    return dest


def _refused(path, code, **kwargs):
    with pytest.raises(HardStop) as info:
        backup.verify(path, **kwargs)
    assert info.value.code == code
    return str(info.value)


# -- backup -----------------------------------------------------------------


def test_a_backup_is_the_live_data_in_one_verified_self_contained_file(stocked, db_path, tmp_path):
    (tmp_path / "backups").mkdir()
    dest = tmp_path / "backups" / "copy.db"
    made, found = backup.backup(db_path, dest)
    head = stocked.current_head()
    assert made == dest
    assert found == Verified(migrations.LATEST, head.id, 4, head)
    assert found.as_dict() == {
        "schema": migrations.LATEST,
        "events": head.id,
        "assets": 4,
        "head": str(head),
    }
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    with Database(dest) as copied:
        assert snapshot(copied) == snapshot(stocked)
    assert _left_beside(dest) == [] and _left_beside(db_path) == [
        "assettrack.db-shm",
        "assettrack.db-wal",
    ]


def test_a_backup_is_never_more_open_than_the_database(stocked, db_path, tmp_path):
    db_path.chmod(0o777)
    made, _ = backup.backup(db_path, tmp_path / "a.db")
    assert _mode(made) == 0o640  # a backup holds every name and badge: never world-readable
    db_path.chmod(0o600)
    made, _ = backup.backup(db_path, tmp_path / "b.db")
    assert _mode(made) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files away")
def test_a_backup_taken_by_root_belongs_to_the_database_owner(stocked, db_path, tmp_path):
    os.chown(db_path, 1234, 1235)
    made, _ = backup.backup(db_path, tmp_path / "a.db")
    assert (made.stat().st_uid, made.stat().st_gid) == (1234, 1235)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the database away")
def test_a_backup_by_staff_takes_the_database_group(stocked, db_path, tmp_path, monkeypatch):
    # Staff in the service's group: the copy is theirs, in the database's group.
    os.chown(db_path, 1234, 1235)
    monkeypatch.setattr(backup.os, "geteuid", lambda: 1000)
    made, _ = backup.backup(db_path, tmp_path / "a.db")
    assert (made.stat().st_uid, made.stat().st_gid) == (os.getuid(), 1235)


def test_a_backup_into_a_directory_is_named_by_its_time(stocked, db_path, tmp_path):
    where = tmp_path / "backups"
    where.mkdir()
    made, _ = backup.backup(db_path, where)
    assert made.parent == where and re.fullmatch(r"assettrack-\d{8}T\d{6}Z\.db", made.name)
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert backup.default_name(moment) == "assettrack-20260102T030405Z.db"


def test_a_backup_refuses_to_overwrite_unless_told(stocked, db_path, copy):
    before = copy.read_bytes()
    with pytest.raises(HardStop) as info:
        backup.backup(db_path, copy)
    assert (info.value.code, str(info.value)) == (
        "exists",
        f"{copy} exists; choose another name or use --force",
    )
    assert copy.read_bytes() == before
    _, found = backup.backup(db_path, copy, overwrite=True)
    assert found.assets == 5


def test_a_backup_needs_a_database_and_a_directory(db_path, tmp_path):
    with pytest.raises(NoDatabase) as info:
        backup.backup(db_path, tmp_path / "a.db")
    assert str(info.value) == f"no database at {db_path}"
    Database(db_path).close()
    dest = tmp_path / "no" / "a.db"
    with pytest.raises(KioskError) as info:
        backup.backup(db_path, dest)
    assert (type(info.value), info.value.code, str(info.value)) == (
        KioskError,
        "io_error",
        f"cannot write {dest}: no directory {dest.parent}",
    )


def test_a_backup_into_a_directory_it_cannot_write_says_so(db_path, tmp_path):
    Database(db_path).close()
    shut = tmp_path / "shut"
    shut.mkdir()
    with (
        unwritable(shut, 0o500),
        pytest.raises(StorageError, match=f"^cannot write {shut / 'a.db'}: "),
    ):
        backup.backup(db_path, shut / "a.db")
    assert list(shut.iterdir()) == []


def test_a_source_that_cannot_be_copied_leaves_nothing(db_path, tmp_path):
    db_path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    with pytest.raises(StorageError, match=f"^cannot copy {db_path}: "):
        backup.backup(db_path, tmp_path / "a.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assettrack.db"]


def test_a_reader_cannot_write_and_waits_for_a_writer(db, db_path):
    reader = backup.open_reader(db_path)
    assert reader.execute("PRAGMA busy_timeout").fetchone() == (10000,)
    reader.close()
    reader = backup.open_reader(db_path, timeout=2.5)
    try:
        assert reader.execute("PRAGMA busy_timeout").fetchone() == (2500,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("INSERT INTO people VALUES ('x', 'y', 'z')")
    finally:
        reader.close()


def test_a_copy_left_by_a_backup_that_died_is_not_in_the_way(stocked, db_path, tmp_path):
    dest = tmp_path / "copy.db"
    stale = tmp_path / f".copy.db.tmp-{os.getpid()}"  # the same process id, after a reboot
    stale.write_bytes(b"half a copy")
    backup.backup(db_path, dest)
    assert not stale.exists() and backup.verify(dest).assets == 4


def test_what_was_verified_cannot_be_changed_after_the_fact(copy):
    found = backup.verify(copy)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.events = 0


# -- verify -----------------------------------------------------------------


def test_only_a_file_is_verified(tmp_path):
    with pytest.raises(NotFound) as info:
        backup.verify(tmp_path)
    assert str(info.value) == f"no such file: {tmp_path}"


# what is wrong with the copy -> (how to make it so, the code, what verify says after the path)
REFUSALS = {
    "foreign file": ("PRAGMA application_id = 1234", "not_ours", " is not an AssetTrack database"),
    "schema 0": (
        "PRAGMA user_version = 0",
        "wrong_schema",
        f" has schema version 0; this AssetTrack reads 1..{migrations.LATEST}",
    ),
    "newer schema": (
        f"PRAGMA user_version = {migrations.LATEST + 1}",
        "wrong_schema",
        f" has schema version {migrations.LATEST + 1}; this AssetTrack reads "
        f"1..{migrations.LATEST}",
    ),
    "another schema": (
        "CREATE TABLE notes (x)",
        "wrong_schema",
        ": schema is not the one AssetTrack creates: unexpected table notes",
    ),
    # integrity_check sees the CHECK constraint this breaks
    "custody without custodian": (
        "UPDATE assets SET status = 'IN_CUSTODY' WHERE tag = 'LT-4'",
        "corrupt",
        " is damaged: CHECK constraint failed in assets",
    ),
    "gap in a case": (
        "DELETE FROM slots WHERE case_name = 'A' AND slot_position = 3",
        "inconsistent",
        ": case has gaps: A does not have slots numbered 1..N",
    ),
}


@pytest.mark.parametrize("wrong", list(REFUSALS))
def test_verify_refuses_a_copy_that_is_not_sound(copy, wrong):
    sql, code, words = REFUSALS[wrong]
    tamper(copy, sql)
    assert _refused(copy, code) == f"{copy}{words}"


def test_a_copy_on_a_medium_nobody_may_write_is_verified(copy, tmp_path):
    medium = tmp_path / "medium"
    medium.mkdir()
    stick = medium / "copy.db"
    stick.write_bytes(copy.read_bytes())
    with unwritable(medium, 0o555):
        assert backup.verify(stick).assets == 4
    assert sorted(p.name for p in medium.iterdir()) == ["copy.db"]


def test_garbage_is_not_a_usable_database(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    assert _refused(junk, "corrupt").startswith(f"{junk} is not a usable database: ")


def test_a_forged_event_breaks_the_log(copy):
    tamper(
        copy,
        "DROP TRIGGER events_no_update",
        "UPDATE events SET actor = 'x' WHERE id = 3",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    )
    conn = sqlite3.connect(copy)
    verdict = events.verify(conn)
    conn.close()
    assert verdict.bad_id == 3
    assert _refused(copy, "log_broken") == (
        f"{copy}: event log broken at event 3: {verdict.reason}"
    )


def test_tables_that_are_not_their_log_are_refused_only_with_the_replay(copy):
    tamper(copy, "UPDATE people SET name = 'Mallory' WHERE badge = '0042'")
    assert backup.verify(copy).events > 0
    assert _refused(copy, "inconsistent", with_replay=True) == (
        f"{copy}: 1 rows differ from its event log: "
        "person 0042: name 'Mallory', the log says 'Alice Ng'"
    )


def _old_file(path, version, *sql):
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, target=version)
    for statement in sql:
        conn.execute(statement)
    conn.close()


def test_an_older_file_is_checked_migrated_and_left_as_it_was(tmp_path):
    old = tmp_path / "old.db"
    _old_file(
        old,
        3,
        "INSERT INTO slots VALUES ('A', 1, NULL)",
        "INSERT INTO assets (tag, home_case, home_pos, created, updated) "
        "VALUES ('LT-1', 'A', 1, 'x', 'x')",
    )
    before = old.read_bytes()
    assert backup.verify(old) == Verified(3, 0, 1, heads.EMPTY)
    assert old.read_bytes() == before


def test_the_oldest_schema_is_migrated_in_memory_and_nothing_is_written(tmp_path, monkeypatch):
    old = tmp_path / "old.db"
    _old_file(old, 1, "INSERT INTO slots VALUES ('A', 1, 'LT-1')")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert backup.verify(old) == Verified(1, 0, 1, heads.EMPTY)  # the slotted tag became an asset
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "old.db"]


def test_an_older_file_is_held_to_its_own_schema_and_to_the_latest_rules(tmp_path):
    odd = tmp_path / "odd.db"
    _old_file(odd, 3, "CREATE TABLE notes (x)")
    assert _refused(odd, "wrong_schema") == (
        f"{odd}: schema is not the one AssetTrack creates: unexpected table notes"
    )
    gap = tmp_path / "gap.db"
    _old_file(gap, 3, "INSERT INTO slots VALUES ('A', 2, NULL)")
    assert _refused(gap, "inconsistent") == (
        f"{gap}: case has gaps: A does not have slots numbered 1..N"
    )


# -- restore ----------------------------------------------------------------


def _last_event(path):
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT id, actor, op, details FROM events ORDER BY id DESC").fetchone()
    conn.close()
    return row[0], row[1], row[2], json.loads(row[3])


def test_restore_puts_the_copy_live_and_keeps_the_old_file(stocked, db_path, copy):
    replaced = stocked.current_head()
    live = snapshot(stocked)
    stocked.close()
    db_path.chmod(0o600)
    kept, found = backup.restore(copy, db_path, "alice")
    assert kept == db_path.with_name("assettrack.db.before-restore")
    with Database(kept) as old:
        assert snapshot(old) == live
    restored_events = replaced.id - 1  # the copy was taken before LT-AFTER
    assert found.events == restored_events
    assert _last_event(db_path) == (
        restored_events + 1,
        "alice",
        "restore",
        {"source": str(copy), "events": restored_events, "replaced_head": str(replaced)},
    )
    with Database(db_path) as now:
        assert now.conn.execute(
            "SELECT count(*) FROM assets WHERE tag = 'LT-AFTER'"
        ).fetchone() == (0,)
        assert heads.read(db_path) == now.current_head()
    assert _mode(db_path) == 0o600
    assert _left_beside(db_path) == []


@pytest.mark.parametrize(("directory", "mode"), [(0o750, 0o640), (0o2770, 0o660)])
def test_restore_where_there_was_no_database(copy, tmp_path, directory, mode):
    where = tmp_path / "state"
    where.mkdir()
    where.chmod(directory)
    target = where / "assettrack.db"
    kept, found = backup.restore(copy, target, "alice")
    assert kept is None
    assert _last_event(target)[1:] == (
        "alice",
        "restore",
        {"source": str(copy), "events": found.events},
    )
    assert _mode(target) == mode


def test_restore_into_a_new_directory(copy, tmp_path):
    target = tmp_path / "new" / "state" / "assettrack.db"
    assert backup.restore(copy, target, "alice")[0] is None
    assert _mode(target.parent) == 0o750


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files away")
def test_restore_by_root_leaves_the_file_to_the_service(stocked, db_path, copy):
    stocked.close()
    os.chown(db_path, 1234, 1235)
    backup.restore(copy, db_path, "root")
    assert (db_path.stat().st_uid, db_path.stat().st_gid) == (1234, 1235)


def test_restore_of_an_older_file_migrates_it_before_it_goes_live(tmp_path):
    old = tmp_path / "old.db"
    _old_file(old, 3)
    target = tmp_path / "live.db"
    _, found = backup.restore(old, target, "alice")
    assert found == Verified(migrations.LATEST, 0, 0, heads.EMPTY)
    conn = sqlite3.connect(target)
    assert migrations.version(conn) == migrations.LATEST
    conn.close()
    assert _last_event(target)[:3] == (1, "alice", "restore")


def test_restore_refuses_the_live_file_itself(stocked, db_path):
    with pytest.raises(InvalidInput) as info:
        backup.restore(db_path, db_path, "alice")
    assert str(info.value) == "the source is the live database itself"


def test_restore_refuses_a_bad_copy_and_touches_nothing(stocked, db_path, copy):
    stocked.close()
    tamper(copy, "DELETE FROM slots WHERE case_name = 'A' AND slot_position = 3")
    before = db_path.read_bytes()
    with pytest.raises(HardStop):
        backup.restore(copy, db_path, "alice")
    assert db_path.read_bytes() == before
    assert not db_path.with_name("assettrack.db.before-restore").exists()
    assert not [p for p in db_path.parent.iterdir() if "tmp" in p.name]


def test_restore_refuses_tables_that_are_not_their_log(stocked, db_path, copy):
    stocked.close()
    tamper(copy, "UPDATE people SET name = 'Mallory' WHERE badge = '0042'")
    before = db_path.read_bytes()
    with pytest.raises(HardStop) as info:
        backup.restore(copy, db_path, "alice")
    assert info.value.code == "inconsistent"
    assert db_path.read_bytes() == before


def test_restore_into_a_directory_it_cannot_write_leaves_nothing(copy, tmp_path):
    shut = tmp_path / "shut"
    shut.mkdir()
    temp = shut / f".assettrack.db.tmp-{os.getpid()}"
    with unwritable(shut, 0o555), pytest.raises(StorageError) as info:
        backup.restore(copy, shut / "assettrack.db", "alice")
    assert str(info.value) == f"cannot open {temp}: unable to open database file"
    assert list(shut.iterdir()) == []


def test_restore_refuses_a_database_in_use(stocked, db_path, copy):
    before = snapshot(stocked)
    with pytest.raises(HardStop) as info:
        backup.restore(copy, db_path, "alice")
    assert info.value.code == "busy"
    assert str(info.value) == f"{db_path} is in use (database is locked); stop what uses it"
    assert snapshot(stocked) == before
    assert not [p for p in db_path.parent.iterdir() if "tmp" in p.name or "before" in p.name]
