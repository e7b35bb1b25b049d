"""The event log's record format, row by row: what append writes, recent returns, verify says.

test_events.py proves the log resists forgery through the domain; these pin
the stored format itself. The digest vectors are fixed on purpose: every
database in the field holds hashes made this way, and a change to the
canonical form would make ``log verify`` reject all of them.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import pytest

from kiosk.domain.types import SlotRef
from kiosk.store import events

ROW = (1, "2026-01-01T00:00:00.000Z", "zoë", "stock_out", "LT-1", "A:1", None, "0042")


def test_genesis_is_sixty_four_zeros():
    assert events.GENESIS == "0000000000000000000000000000000000000000000000000000000000000000"


def test_digest_vectors_do_not_change():
    row = (*ROW, '{"due":"2030-01-01"}', events.GENESIS)
    assert events.digest(row) == "d3cb18821e5ff24cd26f8e242e62f91cd70a529a18e0bee78af0dd4dd2f1f814"
    none_vs_empty = (1, "t", "a", "op", None, "", "x", None, "{}", events.GENESIS)
    assert events.digest(none_vs_empty) == (
        "f779fd2e0e6b9ce81e095b72e351006e67ed7f90f87ed8b52b29c7e00bc62cfd"
    )


def test_digest_keeps_none_and_empty_apart():
    a = (1, "t", "a", "op", None, None, None, None, "{}", events.GENESIS)
    b = (1, "t", "a", "op", "", None, None, None, "{}", events.GENESIS)
    assert events.digest(a) != events.digest(b)


def _append(db, **kw):
    with db.write() as conn:
        return events.append(conn, **kw)


def _rows(db):
    with db.read() as conn:
        return conn.execute("SELECT * FROM events ORDER BY id").fetchall()


def test_append_writes_the_row_it_hashes(db):
    first = _append(
        db,
        actor="ops",
        op="move",
        asset="LT-1",
        from_slot=SlotRef("A", 1),
        to_slot=SlotRef("B", 2),
        person="0042",
        details={"b": 2, "a": "é"},
    )
    second = _append(db, actor="cli", op="note")
    assert (first, second) == (1, 2)
    one, two = _rows(db)
    assert one[0] == 1 and one[2:9] == (
        "ops",
        "move",
        "LT-1",
        "A:1",
        "B:2",
        "0042",
        '{"a":"\\u00e9","b":2}',  # sorted keys, compact, ASCII
    )
    assert one[9] == events.GENESIS
    assert one[10] == events.digest(one[:10])
    assert two[2:9] == ("cli", "note", None, None, None, None, "{}")
    assert two[9] == one[10]  # the link
    assert two[10] == events.digest(two[:10])
    assert one[1].endswith("Z") and one[1] <= two[1]


def test_append_outside_a_transaction_names_the_bug(db):
    with pytest.raises(RuntimeError, match=r"^events\.append\(\) outside a transaction$"):
        events.append(db.conn, actor="x", op="y")
    assert _rows(db) == []


def test_recent_is_the_newest_oldest_first_and_filters_by_asset(db):
    for i in range(6):
        _append(db, actor="t", op="op", asset=f"LT-{i % 2}", details={"i": i})
    with db.read() as conn:
        newest = events.recent(conn, limit=3)
        of_one = events.recent(conn, asset="LT-1", limit=2)
        default = events.recent(conn)
    assert [e.id for e in newest] == [4, 5, 6]
    assert [e.id for e in of_one] == [4, 6]
    assert [e.id for e in default] == [1, 2, 3, 4, 5, 6]
    last = newest[-1]
    assert last.as_dict() == {
        "id": 6,
        "time": last.time,
        "actor": "t",
        "op": "op",
        "asset": "LT-1",
        "from_slot": None,
        "to_slot": None,
        "person": None,
        "details": {"i": 5},
        "hash": last.hash,
    }
    assert last.prev_hash == newest[-2].hash
    with pytest.raises(dataclasses.FrozenInstanceError):
        last.actor = "mallory"  # type: ignore[misc]


def _forge(db, sql, *args):
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    db.conn.execute(sql, args)


def _three(db):
    for i in range(3):
        _append(db, actor="t", op="op", details={"i": i})


def test_verify_of_a_sound_log_gives_the_head(db):
    _three(db)
    with db.read() as conn:
        verdict = events.verify(conn)
    assert verdict == events.Verdict(True, 3, None, "", _rows(db)[-1][10])


def test_verify_names_a_gap_in_the_ids(db):
    _three(db)
    _forge(db, "DELETE FROM events WHERE id = 2")
    verdict = events.verify(db.conn)
    assert verdict == events.Verdict(False, 1, 3, "id 3 follows 1", _rows(db)[0][10])


def test_verify_names_a_broken_link(db):
    _three(db)
    row = _rows(db)[1]
    forged = (*row[:9], "f" * 64)
    _forge(
        db,
        "UPDATE events SET prev_hash = ?, hash = ? WHERE id = 2",
        "f" * 64,
        events.digest(forged),
    )
    verdict = events.verify(db.conn)
    assert (verdict.ok, verdict.count, verdict.bad_id) == (False, 1, 2)
    assert verdict.reason == "prev_hash does not match the previous event"


def test_verify_names_a_row_whose_content_changed(db):
    _three(db)
    _forge(db, "UPDATE events SET details = '{}' WHERE id = 3")
    verdict = events.verify(db.conn)
    assert (verdict.ok, verdict.count, verdict.bad_id) == (False, 2, 3)
    assert verdict.reason == "hash does not match the event's content"
    assert verdict.head == _rows(db)[1][10]


def test_verify_walks_past_one_read_batch():
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE events (id, time, actor, op, asset, from_slot, to_slot, person, "
        "details, prev_hash, hash)"
    )
    prev, rows = events.GENESIS, []
    for i in range(1, 5003):
        row = (i, "t", "a", "op", None, None, None, None, "{}", prev)
        prev = events.digest(row)
        rows.append((*row, prev))
    conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    assert events.verify(conn) == events.Verdict(True, 5002, head=prev)
    conn.execute("UPDATE events SET actor = 'x' WHERE id = 5002")
    assert events.verify(conn).bad_id == 5002


def test_logged_details_are_json():
    event = events.LoggedEvent(1, "t", "a", "op", None, None, None, None, '{"k":[1]}', "p", "h")
    assert event.as_dict()["details"] == {"k": [1]}
    assert json.dumps(event.as_dict())


def test_recent_defaults_to_the_newest_fifty(db):
    with db.write() as conn:
        for i in range(51):
            events.append(conn, actor="t", op="op", details={"i": i})
    with db.read() as conn:
        shown = events.recent(conn)
    assert [e.id for e in shown] == list(range(2, 52))


def test_a_verdict_cannot_be_changed_after_the_fact():
    verdict = events.Verdict(False, 3, 4, "why")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.ok = True  # type: ignore[misc]
