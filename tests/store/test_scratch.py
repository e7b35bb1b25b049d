"""The in-memory copy a dry run works on: the file's schema and rows, none of its lock.

A dry-run import runs every row through the real operations on a
:class:`~kiosk.store.scratch.Scratch`; what it shows is only true if the
copy refuses what the file would refuse, chains its events where the file's
log ends, and writes nothing back.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from kiosk.domain.custody import StockOut
from kiosk.domain.operations import execute
from kiosk.errors import HardStop, StorageUnusable
from kiosk.store import events, heads, schema
from kiosk.store.db import DEFAULT_BUSY_TIMEOUT, Database
from kiosk.store.scratch import Scratch
from tests.conftest import ACTOR, add, snapshot

TABLES = ("slots", "assets", "people")


def _rows(conn, table):
    quoted = '"' + table.replace('"', '""') + '"'
    return conn.execute(f"SELECT * FROM {quoted} ORDER BY 1").fetchall()


def test_the_copy_has_the_files_schema_and_rows(stocked, db_path):
    with Scratch(db_path) as scratch, stocked.read() as conn:
        assert schema.objects(scratch.conn) == schema.objects(conn)
        for table in TABLES:
            assert _rows(scratch.conn, table) == _rows(conn, table), table


def test_of_the_log_the_copy_holds_only_the_last_event(stocked, db_path):
    with stocked.read() as conn:
        last = events.recent(conn, limit=1)
        assert len(events.recent(conn, limit=100)) == last[0].id > 1
    with Scratch(db_path) as scratch:
        assert events.recent(scratch.conn, limit=100) == last


def test_whatever_else_the_file_holds_is_copied_too(stocked, db_path):
    """A file someone added to (no exact-schema check on the CLI's path) is copied as it is."""
    odd = '"odd ""name"""'  # a table name that needs quoting
    conn = sqlite3.connect(db_path)
    for sql in (
        f"CREATE TABLE {odd} (x)",
        f"INSERT INTO {odd} VALUES (1), (2)",
        f"CREATE INDEX odd_x ON {odd} (x)",
        "CREATE VIEW on_loan AS SELECT tag FROM assets WHERE custodian IS NOT NULL",
        f"CREATE TRIGGER no_odd BEFORE DELETE ON {odd} BEGIN SELECT RAISE(ABORT, 'kept'); END",
    ):
        conn.execute(sql)
    conn.commit()
    conn.close()
    with Scratch(db_path) as scratch, stocked.read() as conn:
        assert schema.objects(scratch.conn) == schema.objects(conn)
        assert _rows(scratch.conn, 'odd "name"') == [(1,), (2,)]


def test_the_copy_refuses_what_the_file_refuses(stocked, db_path):
    with Scratch(db_path) as scratch:
        refusals = {
            "an asset must leave its slot before it leaves stock": (
                "UPDATE assets SET status = 'REPAIR' WHERE tag = 'LT-1'"
            ),
            "the event log is append-only": "UPDATE events SET actor = 'x'",
            "UNIQUE constraint failed: slots.current_asset_tag": (
                "UPDATE slots SET current_asset_tag = 'LT-1' "
                "WHERE case_name = 'A' AND slot_position = 3"
            ),
            "FOREIGN KEY constraint failed": (
                "UPDATE assets SET status = 'IN_CUSTODY', custodian = 'NOBODY' WHERE tag = 'LT-4'"
            ),
        }
        for why, sql in refusals.items():
            with pytest.raises(HardStop, match=why), scratch.write() as conn:
                conn.execute(sql)


def test_work_on_the_copy_chains_on_the_files_log_and_goes_nowhere(stocked, db_path):
    before = snapshot(stocked)
    head = heads.read(db_path)
    with stocked.read() as conn:
        last = heads.current(conn)
    with Scratch(db_path) as scratch:
        execute(scratch, StockOut(tag="LT-1", badge="0042"), actor=ACTOR)
        add(scratch, "LT-9", "A:1")
        logged = events.recent(scratch.conn, limit=3)
        assert [e.op for e in logged] == ["person_add", "stock_out", "add"]
        assert [e.id for e in logged] == [last.id, last.id + 1, last.id + 2]
        assert logged[1].prev_hash == last.hash
    assert snapshot(stocked) == before
    assert heads.read(db_path) == head == last  # the file's head is the file's
    assert scratch.records_head is False  # and the copy says so


def test_the_copy_does_not_hold_the_file_while_it_works(stocked, db_path):
    with Scratch(db_path) as scratch, scratch.write(), Database(db_path, busy_timeout=0.1) as file:
        add(file, "LT-8")  # would fail "database busy" if the copy held the file
    with stocked.read() as conn:
        assert conn.execute("SELECT 1 FROM assets WHERE tag = 'LT-8'").fetchone()


def test_the_copy_can_be_used_from_another_thread(stocked, db_path):
    """Like every Database: the CLI and the daemon's workers hand connections over."""
    with Scratch(db_path) as scratch:
        done = []
        worker = threading.Thread(target=lambda: done.append(add(scratch, "LT-9")))
        worker.start()
        worker.join()
        assert done
        assert scratch.conn.execute("SELECT 1 FROM assets WHERE tag = 'LT-9'").fetchone()


def test_the_copy_says_what_journal_it_keeps_and_how_long_it_waits(stocked, db_path):
    with Scratch(db_path) as scratch:
        mode = scratch.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert scratch.journal_mode == mode == "memory"
        # Its snapshot of the file waits for a writer's commit like any reader's.
        waits = scratch.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        assert waits == scratch.busy_timeout * 1000 == DEFAULT_BUSY_TIMEOUT * 1000


def test_a_file_that_is_not_a_database_is_refused_as_one(tmp_path):
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not an SQLite file, only text" * 100)
    with pytest.raises(StorageUnusable, match="not a database"):
        Scratch(path)
