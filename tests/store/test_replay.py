"""Replay of events it cannot apply: named with the event's id, never a crash."""

from __future__ import annotations

from kiosk.store import events, heads, replay
from tests.conftest import ACTOR


def _append_raw(conn, op, details_text, **columns):
    """An event with any details text, in a valid chain (as a forger would write it)."""
    last = heads.current(conn)
    row = (
        last.id + 1, "2026-01-01T00:00:00.000Z", ACTOR, op, columns.get("asset"),
        columns.get("from_slot"), columns.get("to_slot"), columns.get("person"),
        details_text, last.hash,
    )  # fmt: skip
    conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", (*row, events.digest(row)))


def test_what_cannot_be_replayed_is_named(db):
    with db.write() as conn:
        events.append(conn, actor=ACTOR, op="teleport", asset="LT-1")
        events.append(conn, actor=ACTOR, op="case_init", details={"case": "A"})
        _append_raw(conn, "person_add", "[1, 2]", person="0042")
        _append_raw(conn, "case_init", '{"case": "A", "slots": "many", "was": 0}')
        _append_raw(conn, "move", "{}", asset="LT-1", from_slot="nowhere", to_slot="A:x")
    with db.read() as conn:
        assert events.verify(conn).ok
        state = replay.replay(conn)
    assert state.events == 5
    assert state.problems == [
        "event 1 (teleport): unknown kind: cannot be replayed",
        "event 2 (case_init): lacks slots, was: cannot be replayed",
        "event 3 (person_add): details are not a JSON object: cannot be replayed",
        "event 4 (case_init): cannot be replayed: invalid literal for int() with base 10: 'many'",
        "event 5 (move): unknown asset LT-1",
    ]


def test_details_that_are_not_json_at_all_are_named(db):
    with db.write() as conn:
        events.append(conn, actor=ACTOR, op="person_add", person="0042", details={"name": "A"})
        _append_raw(conn, "person_add", "{not json", person="0043")
    with db.read() as conn:
        state = replay.replay(conn)
    assert state.problems == [
        "event 2 (person_add): details are not a JSON object: cannot be replayed"
    ]
    assert state.people == {"0042": "A"}


def test_every_kind_is_described():
    for op, kind in replay.KINDS.items():
        assert kind.details and op in replay.__doc__, op


def test_the_assets_query_reads_the_fields_in_their_order():
    assert replay._ASSETS_SQL.split("SELECT tag, ")[1].split(" FROM")[0].split(", ") == list(
        replay.ASSET_FIELDS
    )
