"""The event log is append-only and its hash chain exposes forgery."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.domain.custody import StockOut
from kiosk.domain.operations import execute
from kiosk.store import events
from tests.domain.helpers import sound

ACTOR = "test"


def test_each_operation_appends_one_chained_event(stocked):
    count = sound(stocked)
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    assert sound(stocked) == count + 1
    with stocked.read() as conn:
        last, prev = events.recent(conn, limit=2)[::-1]
    assert last.prev_hash == prev.hash
    assert (last.op, last.asset, last.from_slot, last.person) == (
        "stock_out",
        "LT-1",
        "A:1",
        "0042",
    )
    assert last.time.endswith("Z") and "T" in last.time


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events SET actor = 'mallory' WHERE id = 2",
        "DELETE FROM events WHERE id = 2",
        "DELETE FROM events",
    ],
)
def test_update_and_delete_are_refused(stocked, sql):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        stocked.conn.execute(sql)
    sound(stocked)


def _drop_guards(conn):
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")


def test_edited_row_is_caught(stocked):
    _drop_guards(stocked.conn)
    stocked.conn.execute("UPDATE events SET actor = 'mallory' WHERE id = 3")
    verdict = events.verify(stocked.conn)
    assert (verdict.ok, verdict.bad_id, verdict.count) == (False, 3, 2)


def test_forged_row_with_recomputed_hash_breaks_the_next_link(stocked):
    _drop_guards(stocked.conn)
    row = stocked.conn.execute("SELECT * FROM events WHERE id = 3").fetchone()
    forged = (*row[:2], "mallory", *row[3:10])
    stocked.conn.execute(
        "UPDATE events SET actor = ?, hash = ? WHERE id = 3", ("mallory", events.digest(forged))
    )
    verdict = events.verify(stocked.conn)
    assert (verdict.ok, verdict.bad_id) == (False, 4)


def test_deleted_row_is_caught(stocked):
    _drop_guards(stocked.conn)
    stocked.conn.execute("DELETE FROM events WHERE id = 2")
    verdict = events.verify(stocked.conn)
    assert (verdict.ok, verdict.bad_id) == (False, 3)


def test_table_rebuilt_without_triggers_and_row_inserted(stocked):
    """A forger recreates the table (no triggers) and appends a row with a wrong hash."""
    conn = stocked.conn
    conn.execute("ALTER TABLE events RENAME TO old_events")
    conn.execute("CREATE TABLE events AS SELECT * FROM old_events")
    last = conn.execute(
        "SELECT max(id), (SELECT hash FROM events ORDER BY id DESC LIMIT 1) FROM events"
    ).fetchone()
    conn.execute(
        "INSERT INTO events VALUES (?, '2026-01-01T00:00:00.000Z', 'mallory', "
        "'stock_in', 'LT-1', NULL, 'A:1', NULL, '{}', ?, ?)",
        (last[0] + 1, last[1], "f" * 64),
    )
    verdict = events.verify(conn)
    assert (verdict.ok, verdict.bad_id) == (False, last[0] + 1)


def test_verify_empty_log():
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE events (id, time, actor, op, asset, from_slot, to_slot, person, "
        "details, prev_hash, hash)"
    )
    assert events.verify(conn) == events.Verdict(True, 0)


def test_append_outside_transaction_is_a_bug(db):
    with pytest.raises(RuntimeError):
        events.append(db.conn, actor="x", op="y")
