"""The log proves the tables, and its tail: ``log verify`` (``--head``, ``--replay``) and doctor.

Each tampering is done as with the sqlite3 shell: the append-only trigger
dropped, rows changed or deleted, the trigger put back as it was, so the
schema is exact again and only the record itself can tell.
"""

from __future__ import annotations

import pytest

from kiosk.store import heads
from tests.conftest import tamper

DELETE_GUARD = (
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
)


def _delete_events(path, where):
    tamper(path, "DROP TRIGGER events_no_delete", f"DELETE FROM events WHERE {where}", DELETE_GUARD)


def _check(run, name):
    return next(c for c in run.doc if c["check"] == name)


# -- the head kept beside the database -------------------------------------------


def test_each_commit_records_the_head_beside_the_database(seeded, db_file):
    verified = seeded("log", "verify", json=True).doc
    assert heads.read(db_file) == heads.Head(12, verified["head"])
    seeded("asset", "add", "LT-0999")
    assert heads.read(db_file).id == 13
    assert oct(heads.path_for(db_file).stat().st_mode & 0o777) == oct(
        db_file.stat().st_mode & 0o660
    )


@pytest.mark.parametrize("where, gone", [("id = 12", "12..12"), ("id > 9", "10..12")])
def test_log_verify_fails_when_the_tail_is_deleted(seeded, db_file, where, gone):
    assert seeded("log", "verify").code == 0
    _delete_events(db_file, where)
    run = seeded("log", "verify", json=True)
    assert run.code == 1, run
    assert f"events {gone} were removed" in run.doc["error"]["message"]
    doctor = seeded("doctor", json=True)
    assert _check(doctor, "log head")["status"] == "FAIL"


def test_log_verify_fails_when_every_event_is_deleted(seeded, db_file):
    _delete_events(db_file, "1")
    heads.path_for(db_file).unlink()  # even without the head file
    run = seeded("log", "verify", json=True)
    assert run.code == 1
    assert "the log is empty but the tables hold 6 assets" in run.doc["error"]["message"]
    doctor = seeded("doctor", json=True)
    assert _check(doctor, "replay")["status"] == "FAIL"
    assert "asset LT-0101: not in the log" in _check(doctor, "replay")["detail"]


def test_a_head_recorded_elsewhere(seeded, db_file):
    head = seeded("log", "verify", json=True).doc["head_ref"]
    seeded("asset", "add", "LT-0999")
    assert seeded("log", "verify", "--head", head).code == 0  # behind the log: fine
    _delete_events(db_file, "id > 11")
    heads.path_for(db_file).unlink()  # the local copy went with it
    run = seeded("log", "verify", "--head", head, json=True)
    assert run.code == 1 and "events 12..12 were removed" in run.doc["error"]["message"]
    forged = f"11:{'0' * 64}"
    run = seeded("log", "verify", "--head", forged, json=True)
    assert run.code == 1 and "does not have the recorded hash" in run.doc["error"]["message"]
    assert seeded("log", "verify", "--head", "12", json=True).code == 2
    assert seeded("log", "--head", head, json=True).code == 2


def test_backup_records_the_head_it_copied_and_restore_moves_the_head(seeded, db_file, tmp_path):
    head = seeded("log", "verify", json=True).doc["head_ref"]
    run = seeded("backup", str(tmp_path / "copy.db"), json=True)
    assert run.doc["head"] == head
    assert f"head {head}" in seeded("backup", str(tmp_path / "text.db")).out
    seeded("asset", "add", "LT-0999")  # the live log moves past the copy
    assert seeded("restore", str(tmp_path / "copy.db"), "--yes").code == 0
    # An older history went live on purpose: its head (with the restore event) is the head now.
    assert seeded("log", "verify").code == 0
    assert heads.read(db_file).id == 13


# -- the tables as the replay of the log ------------------------------------------


def test_a_row_changed_without_its_event_is_named(seeded, db_file):
    tamper(
        db_file,
        "UPDATE assets SET status = 'IN_STOCK', custodian = NULL, due = NULL WHERE tag = 'LT-0103'",
    )
    assert seeded("log", "verify").code == 0  # the chain itself is intact
    run = seeded("log", "verify", "--replay", json=True)
    assert run.code == 1
    message = run.doc["error"]["message"]
    assert "asset LT-0103: status 'IN_STOCK', the log says 'IN_CUSTODY'" in message
    assert "custodian none, the log says '0042'" in message
    doctor = seeded("doctor", json=True)
    assert doctor.code == 1 and _check(doctor, "replay")["status"] == "FAIL"


@pytest.mark.parametrize(
    "sql, named",
    [
        (
            "UPDATE slots SET current_asset_tag = NULL "
            "WHERE case_name = 'CART-B' AND slot_position = 2",
            "slot CART-B:2: holds empty, the log says LT-0202",
        ),
        ("UPDATE people SET name = 'Eve' WHERE badge = '0043'", "person 0043: name 'Eve'"),
        ("INSERT INTO people VALUES ('6666', 'Mallory', 'now')", "person 6666: not in the log"),
        ("UPDATE assets SET notes = 'sold' WHERE tag = 'LT-0201'", "asset LT-0201: notes 'sold'"),
        ("INSERT INTO slots VALUES ('CART-C', 1, NULL)", "slot CART-C:1: not in the log"),
    ],
    ids=["slot", "person name", "person added", "asset field", "slot added"],
)
def test_doctor_names_each_row_that_differs(seeded, db_file, sql, named):
    tamper(db_file, sql)
    doctor = seeded("doctor", json=True)
    check = _check(doctor, "replay")
    assert check["status"] == "FAIL" and named in check["detail"], check


def test_every_kind_of_change_replays_exactly(seeded, db_file, tmp_path):
    """Custody, placement, status changes, cases, people, an import (with an edit), a restore."""
    copy = tmp_path / "copy.db"
    steps = [
        ("stock-in", "LT-0103"),
        ("stock-out", "LT-0101", "--to", "0043", "--days", "3"),
        ("slot", "move", "LT-0102", "CART-B", "5"),
        ("slot", "vacate", "CART-A", "5"),
        ("slot", "assign", "LT-0104", "CART-A", "6"),
        ("asset", "repair", "LT-0201"),
        ("asset", "lost", "LT-0202"),
        ("asset", "found", "LT-0202"),
        ("asset", "retire", "LT-0201", "--yes"),
        ("case", "init", "CART-C", "--slots", "4"),
        ("case", "init", "CART-C", "--slots", "2", "--yes"),
        ("person", "add", "0050", "Dana Lee"),
        ("person", "remove", "0044", "--yes"),
        ("backup", str(copy)),
    ]
    for argv in steps:
        run = seeded(*argv, json=True)
        assert run.code == 0, (argv, run)
    sheet = tmp_path / "in.csv"
    sheet.write_text(
        "Asset Tag,Name,Status,Checked Out To,Location\n"
        "NEW-1,Imported,Ready to Deploy,,CART-C:1\nNEW-2,Out,Deployed,0051,\n"
        "LT-0104,Renamed MacBook,Ready to Deploy,,\n"
    )
    run = seeded("asset", "import", str(sheet), "--commit", json=True)
    assert run.code == 0, run
    run = seeded("log", "verify", "--replay", json=True)
    assert run.code == 0, run
    assert seeded("restore", str(copy), "--yes").code == 0
    run = seeded("log", "verify", "--replay", json=True)
    assert run.code == 0, run
