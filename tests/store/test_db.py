"""Storage: pragmas, file safety, refusing foreign files, and schema upgrades."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from kiosk.domain import assets, slots
from kiosk.domain.operations import execute
from kiosk.domain.placement import Move
from kiosk.domain.types import SlotRef
from kiosk.errors import NoDatabase, StorageError
from kiosk.store import invariants, migrations
from kiosk.store.db import Database, resolve_path
from tests.domain.helpers import sound

ACTOR = "test"


def test_pragmas(db):
    c = db.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert migrations.version(c) == migrations.LATEST


def test_new_file_and_directory_are_not_world_readable(tmp_path):
    path = tmp_path / "deep" / "dir" / "a.db"
    Database(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o007 == 0
    assert stat.S_IMODE(os.stat(path.parent).st_mode) & 0o007 == 0


def test_refuses_foreign_sqlite_file(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not an AssetTrack one"):
        Database(path)


def test_refuses_other_application_id(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not an AssetTrack database"):
        Database(path)


def test_refuses_garbage_file(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="damaged or not a database"):
        Database(path)


def test_refuses_newer_schema(db_path):
    Database(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this AssetTrack knows"):
        Database(db_path)


def test_missing_file_without_create(tmp_path):
    with pytest.raises(NoDatabase, match="no database"):
        Database(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_upgrade_from_milestone_7_keeps_every_row(db_path):
    """A v1 database (slots only, any tag) upgrades: unknown tags become assets."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.upgrade(conn, target=1)
    conn.executemany(
        "INSERT INTO slots VALUES (?, ?, ?)",
        [("A", 1, "LT-1"), ("A", 2, None), ("A", 3, "LT-3"), ("B", 1, None)],
    )
    conn.close()

    db = Database(db_path)
    with db.read() as c:
        assert migrations.version(c) == migrations.LATEST
        assert [(str(r), t) for r, t in slots.list_slots(c)] == [
            ("A:1", "LT-1"),
            ("A:2", None),
            ("A:3", "LT-3"),
            ("B:1", None),
        ]
        lt1 = assets.get(c, "LT-1")
    assert (lt1.status, str(lt1.slot)) == ("IN_STOCK", "A:1")
    # A schema-1 file had no log: what it held cannot be replayed, and is named.
    before_the_log = [
        "asset LT-1: not in the log",
        "asset LT-3: not in the log",
        "slot A:1: not in the log",
        "slot A:2: not in the log",
        "slot A:3: not in the log",
        "slot B:1: not in the log",
    ]
    sound(db, unlogged=before_the_log)
    # The upgraded file works like a new one.
    execute(db, Move("LT-1", SlotRef.of("B", 1)), actor=ACTOR)
    sound(db, unlogged=["event 1 (move): unknown asset LT-1", *before_the_log])
    db.close()


def test_upgrade_is_idempotent(db_path):
    Database(db_path).close()
    again = Database(db_path)
    assert migrations.upgrade(again.conn) == migrations.LATEST
    again.close()


#: Opens (and so creates and migrates) the database at argv[1] once stdin says go.
_OPEN_ON_GO = """
import sys
from kiosk.store import invariants, migrations
from kiosk.store.db import Database
print("ready", flush=True)
sys.stdin.readline()
db = Database(sys.argv[1], create=True)
print(migrations.version(db.conn), flush=True)
db.close()
"""


@pytest.mark.parametrize("start", ["missing", "version 1"])
def test_processes_racing_to_create_and_migrate_agree(db_path, start):
    # Several processes released at once on one file: each must end up with
    # the latest schema, every migration applied exactly once, no error.
    if start == "version 1":
        conn = sqlite3.connect(db_path, isolation_level=None)
        migrations.upgrade(conn, target=1)
        conn.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_ON_GO, str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n"
    for proc in procs:  # go: all of them at once, as closely as processes allow
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [(p.returncode, out, err) for p, (out, err) in zip(procs, results, strict=True)] == [
        (0, f"{migrations.LATEST}\n", "")
    ] * len(procs)
    db = Database(db_path)
    with db.read() as conn:
        assert invariants.integrity(conn) == []
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    db.close()
    assert len(tables) == len(set(tables))


def test_resolve_path_order(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSETTRACK_DB", str(tmp_path / "env.db"))
    assert resolve_path("/x/cli.db", "/x/conf.db").name == "cli.db"
    assert resolve_path(None, "/x/conf.db").name == "env.db"
    monkeypatch.delenv("ASSETTRACK_DB")
    assert resolve_path(None, "/x/conf.db").name == "conf.db"
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    assert resolve_path(None, None) == tmp_path / "state" / "assettrack.db"


def test_write_rolls_back_on_error(stocked):
    before = stocked.conn.execute("SELECT count(*) FROM events").fetchone()
    with pytest.raises(ZeroDivisionError), stocked.write() as conn:
        conn.execute("INSERT INTO people VALUES ('x', 'y', 'z')")
        1 / 0  # noqa: B018
    assert stocked.conn.execute("SELECT count(*) FROM events").fetchone() == before
    assert stocked.conn.execute("SELECT count(*) FROM people WHERE badge='x'").fetchone()[0] == 0


def _old_file_with_a_home(db_path, version):
    """A file at schema ``version``: slot A:1, asset LT-1 whose home it is."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrations.upgrade(conn, target=version)
    conn.execute("INSERT INTO slots VALUES ('A', 1, NULL)")
    conn.execute(
        "INSERT INTO assets (tag, home_case, home_pos, created, updated) "
        "VALUES ('LT-1', 'A', 1, 'x', 'x')"
    )
    conn.close()


def test_upgrade_from_milestone_8_adds_the_home_index(db_path):
    _old_file_with_a_home(db_path, 2)
    db = Database(db_path)
    names = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_schema")}
    assert "assets_home" in names
    with db.read() as c:
        assert assets.get(c, "LT-1").home is not None
        assert migrations.version(c) == migrations.LATEST
    # Rows written here without events, as no AssetTrack ever did: the replay names them.
    sound(db, unlogged=["asset LT-1: not in the log", "slot A:1: not in the log"])
    db.close()


def test_upgrade_from_version_3_keeps_rows_and_adds_the_snipeit_id(db_path):
    _old_file_with_a_home(db_path, 3)
    db = Database(db_path)
    with db.read() as c:
        assert migrations.version(c) == 4
        assert assets.get(c, "LT-1").snipeit_id is None
    db.conn.execute("UPDATE assets SET snipeit_id = 17 WHERE tag = 'LT-1'")
    with pytest.raises(sqlite3.IntegrityError):  # unique, and from 1
        db.conn.execute(
            "INSERT INTO assets (tag, snipeit_id, created, updated) VALUES ('LT-2', 17, 'x', 'x')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO assets (tag, snipeit_id, created, updated) VALUES ('LT-3', 0, 'x', 'x')"
        )
    with db.read() as c:
        assert assets.tag_of_snipeit_id(c, 17) == "LT-1"
    sound(db, unlogged=["asset LT-1: not in the log", "slot A:1: not in the log"])
    db.close()


def test_staff_use_the_installed_database(monkeypatch, tmp_path):
    from kiosk.store import db as dbmod

    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(dbmod, "SYSTEM_DIR", tmp_path / "var")
    monkeypatch.setattr(dbmod.os, "geteuid", lambda: 1000)
    assert dbmod.default_path() == tmp_path / "xdg" / "assettrack" / "assettrack.db"
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "assettrack.db").touch()
    assert dbmod.default_path() == tmp_path / "var" / "assettrack.db"
