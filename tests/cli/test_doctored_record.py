"""Databases doctored as an attacker with write access to the file would.

Each is refused by ``doctor`` (naming the difference), by ``restore`` as a
source (the live database untouched) and by ``run`` (exit 78 before
READY=1): a dropped append-only trigger, extra triggers that rewrite notes
and add people on every event, ``events`` as a view that swallows inserts,
a schema-2 file with a forged event and an asset in two slots, a table of
somebody else's.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from kiosk.ops import demo
from kiosk.store import migrations
from kiosk.store.db import Database
from tests.daemon.test_end_to_end import spawn
from tests.faults.test_daemon_start import refuses_to_start

RAISE_APPEND_ONLY = "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"


_ASSET_COLUMNS_V2 = (
    "tag, name, model, serial, status, home_case, home_pos, custodian, due, notes, created, updated"
)


def _seed(path: Path, version: int = migrations.LATEST) -> None:
    """The demo room, in a file at schema ``version`` (rows copied as that schema has them)."""
    room = path.with_name(path.name + ".room")
    with Database(room) as db:
        demo.seed(db)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if version == migrations.LATEST:
        room.rename(path)
        room.with_name(room.name + ".head").unlink(missing_ok=True)
        return
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, version)
    conn.execute("ATTACH DATABASE ? AS room", (str(room),))
    conn.execute("BEGIN")
    conn.execute("INSERT INTO people SELECT * FROM room.people")
    conn.execute(f"INSERT INTO assets SELECT {_ASSET_COLUMNS_V2} FROM room.assets")
    conn.execute("INSERT INTO slots SELECT * FROM room.slots")
    conn.execute("INSERT INTO events SELECT * FROM room.events")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE room")
    conn.close()
    room.unlink()
    room.with_name(room.name + ".head").unlink(missing_ok=True)


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def dropped_trigger(path):
    _seed(path)
    _sql(path, "DROP TRIGGER events_no_delete")


def extra_triggers(path):
    _seed(path)
    _sql(
        path,
        "CREATE TRIGGER x AFTER INSERT ON events BEGIN UPDATE assets SET notes = 'owned'; END",
        "CREATE TRIGGER y AFTER INSERT ON events "
        "BEGIN INSERT OR IGNORE INTO people VALUES ('6666', 'Mallory', 'now'); END",
    )


def events_a_view(path):
    _seed(path)
    _sql(
        path,
        "ALTER TABLE events RENAME TO kept",
        "CREATE VIEW events AS SELECT * FROM kept",
        "CREATE TRIGGER swallow INSTEAD OF INSERT ON events BEGIN SELECT 1; END",
    )


def forged_at_schema_2(path):
    """Schema 2 exactly as it was created; only the chain shows the forged event."""
    _seed(path, 2)
    _sql(
        path,
        "DROP TRIGGER events_no_update",
        "UPDATE events SET actor = 'mallory' WHERE id = 3",
        f"CREATE TRIGGER events_no_update BEFORE UPDATE ON events {RAISE_APPEND_ONLY}",
    )


def old_and_forged(path):
    """Schema 2, an event rewritten behind the (restored) trigger, LT-0101 in two slots."""
    forged_at_schema_2(path)
    _sql(
        path,
        "DROP INDEX slots_one_slot_per_asset",
        "UPDATE slots SET current_asset_tag = 'LT-0101' "
        "WHERE case_name = 'CART-B' AND slot_position = 6",
    )


def extra_table(path):
    _seed(path)
    _sql(
        path,
        "CREATE TABLE big (blob BLOB)",
        "INSERT INTO big SELECT zeroblob(1 << 16) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3)",
    )


DOCTORED = {
    "dropped trigger": (dropped_trigger, "trigger events_no_delete missing"),
    "extra triggers": (extra_triggers, "unexpected trigger x on events"),
    "events a view": (events_a_view, "events is a view, not a table"),
    "old and forged": (old_and_forged, "index slots_one_slot_per_asset missing"),
    "extra table": (extra_table, "unexpected table big"),
}


@pytest.fixture
def short_tmp():
    path = Path(tempfile.mkdtemp(prefix="at-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("how", list(DOCTORED))
def test_doctor_names_the_difference(at, tmp_path, how):
    make, words = DOCTORED[how]
    bad = tmp_path / "bad.db"
    make(bad)
    run = at("doctor", json=True, db=bad)
    assert run.code == 1
    check = next(c for c in run.doc if c["check"] == "schema")
    assert check["status"] == "FAIL" and words in check["detail"], check


@pytest.mark.parametrize("how", list(DOCTORED))
def test_restore_refuses_it_before_anything_is_swapped(seeded, db_file, tmp_path, how):
    make, words = DOCTORED[how]
    bad = tmp_path / "bad.db"
    make(bad)
    before = db_file.read_bytes()
    run = seeded("restore", str(bad), "--yes", json=True)
    assert run.code == 3, run
    assert run.doc["error"]["code"] == "wrong_schema" and words in run.doc["error"]["message"]
    assert db_file.read_bytes() == before
    assert not db_file.with_name(db_file.name + ".before-restore").exists()


@pytest.mark.parametrize("how", list(DOCTORED))
def test_the_daemon_refuses_to_start(short_tmp, how):
    make, words = DOCTORED[how]
    path = short_tmp / "assettrack.db"
    make(path)
    before = path.read_bytes()
    refuses_to_start(spawn(path, short_tmp), words)
    assert path.read_bytes() == before  # refused, not migrated or "repaired"


def test_an_older_file_is_checked_whole_not_skipped(seeded, db_file, tmp_path):
    bad = tmp_path / "old.db"
    forged_at_schema_2(bad)
    doctor = seeded("doctor", json=True, db=bad)
    checks = {c["check"]: c for c in doctor.doc}
    assert checks["schema"]["status"] == "ok" and "version 2" in checks["schema"]["detail"]
    assert checks["event chain"]["status"] == "FAIL", checks["event chain"]
    before = db_file.read_bytes()
    run = seeded("restore", str(bad), "--yes", json=True)
    assert run.code == 3 and run.doc["error"]["code"] == "log_broken", run
    assert db_file.read_bytes() == before


def test_a_sound_older_file_is_migrated_on_the_copy_and_restored(seeded, db_file, tmp_path):
    old = tmp_path / "old.db"
    _seed(old, 2)
    before = old.read_bytes()
    run = seeded("restore", str(old), "--yes", json=True)
    assert run.code == 0, run
    assert run.doc["schema"] == migrations.LATEST and run.doc["assets"] == 6
    assert old.read_bytes() == before  # the source itself is never migrated
    assert seeded("doctor", json=True).code == 0
