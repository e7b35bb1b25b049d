"""``backup`` (online, consistent) and ``restore`` (verified, atomic, daemon stopped)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from kiosk.store import events

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from kiosk.domain import assets, people
    from kiosk.domain.custody import StockOut
    from kiosk.domain.intake import AddAsset
    from kiosk.domain.operations import execute
    from kiosk.store.db import Database

    path, stop = sys.argv[1], sys.argv[2]
    db = Database(path)
    people.add_person(db, "W", "Writer", actor="writer")
    i, deadline = 0, time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < deadline:
        execute(db, AddAsset(tag=f"W-{i}"), actor="writer")
        execute(db, StockOut(f"W-{i}", "W"), actor="writer")
        i += 1
    print(i)
    """
)


def _events_of(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def _consistent_prefix(path):
    """The copy's chain verifies and every event's effect is in it, nothing more."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        verdict = events.verify(conn)
        assert verdict.ok, verdict
        ops = {}
        for tag, op in conn.execute(
            "SELECT asset, op FROM events WHERE actor = 'writer' AND asset IS NOT NULL ORDER BY id"
        ):
            ops.setdefault(tag, []).append(op)
        state = {
            tag: (status, custodian)
            for tag, status, custodian in conn.execute(
                "SELECT tag, status, custodian FROM assets WHERE tag LIKE 'W-%'"
            )
        }
    assert set(ops) == set(state), "an asset without its event, or an event without its asset"
    for tag, done in ops.items():
        want = ("IN_CUSTODY", "W") if done == ["add", "stock_out"] else ("IN_STOCK", None)
        assert done in (["add"], ["add", "stock_out"]) and state[tag] == want, (tag, done)
    return verdict.count


def test_backup_while_another_process_writes(seeded, db_file, tmp_path):
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_file), str(stop)], stdout=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while _events_of(db_file) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        copies = []
        for n in range(3):
            seen = _events_of(db_file)
            while _events_of(db_file) < seen + 10 and time.monotonic() < deadline:
                time.sleep(0.01)  # the writer is mid-flight for every copy
            dest = tmp_path / f"copy-{n}.db"
            run = seeded("backup", str(dest), json=True)
            assert run.code == 0, run
            assert run.doc["file"] == str(dest)
            copies.append(dest)
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and int(out) > 0
    counts = [_consistent_prefix(c) for c in copies]
    assert counts == sorted(counts) and counts[0] > 12 and len(set(counts)) == 3
    assert _events_of(db_file) >= counts[-1]
    for copy in copies:
        doctor = seeded("doctor", json=True, db=copy)
        assert doctor.code == 0, [c for c in doctor.doc if c["status"] == "FAIL"]
        assert not (copy.parent / (copy.name + "-wal")).exists()


def test_backup_into_a_directory_and_refusals(seeded, tmp_path):
    target = tmp_path / "backups"
    target.mkdir()
    run = seeded("backup", str(target), json=True)
    assert run.code == 0 and run.doc["events"] == 12 and run.doc["assets"] == 6
    made = list(target.iterdir())
    assert len(made) == 1 and made[0].name.startswith("assettrack-")
    assert "backed up to" in seeded("backup", str(target / "second.db")).out
    again = seeded("backup", str(target / "second.db"), json=True)
    assert again.code == 3 and again.doc["error"]["code"] == "exists"
    assert seeded("backup", str(target / "second.db"), "--force").code == 0
    assert (
        seeded("backup", str(tmp_path / "no" / "dir" / "x.db"), json=True).code == 1
    )  # an output path that cannot be written: I/O
    assert sorted(p.name for p in target.iterdir() if p.name.startswith(".")) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("assettrack.db")) == [
        "assettrack.db",
        "assettrack.db.head",
    ], "the copy left -wal/-shm files beside the live database"


def test_backup_without_database(at, tmp_path):
    run = at("backup", str(tmp_path / "x.db"), json=True, db=tmp_path / "absent.db")
    assert run.code == 4 and "no database" in run.doc["error"]["message"]
    assert not (tmp_path / "absent.db").exists()


@pytest.fixture
def backup_file(seeded, tmp_path):
    dest = tmp_path / "good.db"
    assert seeded("backup", str(dest)).code == 0
    return dest


def test_restore_replaces_atomically_and_keeps_the_old_file(seeded, db_file, backup_file):
    seeded("asset", "add", "LT-AFTER")
    mode = db_file.stat().st_mode
    assert seeded("restore", str(backup_file), json=True).code == 2  # needs --yes
    run = seeded("restore", str(backup_file), "--yes", json=True)
    assert run.code == 0, run
    kept = db_file.with_name(db_file.name + ".before-restore")
    assert run.doc["previous"] == str(kept) and run.doc["events"] == 12
    assert seeded("where", "LT-AFTER", json=True).code == 4
    assert seeded("where", "LT-AFTER", json=True, db=kept).code == 0
    assert db_file.stat().st_mode == mode
    assert seeded("doctor").code == 0
    assert not list(db_file.parent.glob(".*tmp*"))
    last = seeded("log", "--limit", "1", json=True).doc[0]
    assert (last["op"], last["actor"], last["id"]) == ("restore", "tester", 13)
    details = last["details"]
    assert details.pop("replaced_head").startswith("13:")  # the history it replaced
    assert details == {"source": str(backup_file), "events": 12}


def test_restore_refuses_while_the_daemon_runs(seeded, db_file, backup_file, fake_daemon):
    before = db_file.read_bytes()
    run = seeded("restore", str(backup_file), "--yes", json=True)
    assert run.code == 3 and run.doc["error"]["code"] == "daemon_running"
    assert db_file.read_bytes() == before


def _spoiled(*sql):
    def spoil(path):
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA ignore_check_constraints = ON")
            for statement in sql:
                conn.execute(statement)

    return spoil


def _garbage(path):
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)


# what is wrong with the source -> (how to make it so, the error code expected)
SPOILS = {
    # The trigger put back as it was: the schema is exact, only the chain can tell.
    "forged event": (
        _spoiled(
            "DROP TRIGGER events_no_update",
            "UPDATE events SET actor = 'x' WHERE id = 3",
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
        ),
        "log_broken",
    ),
    "foreign file": (_spoiled("PRAGMA application_id = 1234"), "not_ours"),
    "garbage": (_garbage, "corrupt"),
    # integrity_check sees the CHECK constraint this breaks
    "custody without custodian": (
        _spoiled("UPDATE assets SET custodian = NULL, due = NULL WHERE tag = 'LT-0103'"),
        "corrupt",
    ),
    "gap in a case": (
        _spoiled("DELETE FROM slots WHERE case_name = 'CART-A' AND slot_position = 7"),
        "inconsistent",
    ),
}


@pytest.mark.parametrize("wrong", list(SPOILS))
def test_restore_verifies_the_source_first(seeded, db_file, backup_file, wrong):
    spoil, code = SPOILS[wrong]
    spoil(backup_file)
    before = db_file.read_bytes()
    run = seeded("restore", str(backup_file), "--yes", json=True)
    assert run.code == 3, run
    assert run.doc["error"]["code"] == code
    assert db_file.read_bytes() == before
    assert not db_file.with_name(db_file.name + ".before-restore").exists()


def test_restore_refuses_while_the_database_is_open(seeded, db_file, backup_file):
    holder = sqlite3.connect(db_file)
    holder.execute("SELECT count(*) FROM assets").fetchone()
    try:
        run = seeded("restore", str(backup_file), "--yes", json=True)
    finally:
        holder.close()
    assert run.code == 3 and run.doc["error"]["code"] == "busy"
    assert seeded("log", "verify").code == 0


def test_restore_missing_source(seeded, tmp_path):
    run = seeded("restore", str(tmp_path / "nope.db"), "--yes", json=True)
    assert run.code == 4
