"""The tables as the replay of the log: every kind of change replays exactly, every row changed
behind the log's back is named.

The history is made by the real operations on a real file; the tampering
is done with plain SQL, as a person with the sqlite3 shell would.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3

import pytest

from kiosk.domain import people, slots
from kiosk.domain.custody import MarkFound, MarkLost, Repair, Retire, StockIn, StockOut
from kiosk.domain.intake import AddAsset, UpdateAsset
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.store import backup, events, replay
from kiosk.store.db import Database
from tests.conftest import ACTOR, add

DUE = "2030-01-15"


def _do(db, request):
    return execute(db, request, actor=ACTOR)


def _slot(text):
    return SlotRef.parse(text)


def _history(db):
    """Every kind of change; leaves the state :data:`AFTER` describes."""
    slots.init_case(db, "A", 4, actor=ACTOR)
    slots.init_case(db, "B", 3, actor=ACTOR)
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    people.add_person(db, "0043", "Bob Okafor", actor=ACTOR)
    people.add_person(db, "0044", "Cy Twombly", actor=ACTOR)
    _do(db, AddAsset(tag="LT-1", name="MacBook", model="A2338", serial="C02X", notes="dent",
                     into=_slot("A:1"), snipeit_id=7))  # fmt: skip
    _do(db, AddAsset(tag="LT-2"))
    _do(db, AddAsset(tag="LT-3", into=_slot("B:1")))
    _do(db, AddAsset(tag="LT-4", home=_slot("B:3")))
    _do(db, UpdateAsset(tag="LT-2", name="ThinkPad", model="T14", serial="PF3", notes="new",
                        snipeit_id=9))  # fmt: skip
    _do(db, Assign(tag="LT-2", slot=_slot("A:2")))
    _do(db, Move(tag="LT-2", slot=_slot("A:3")))
    _do(db, Vacate(slot=_slot("A:3")))
    _do(db, StockOut(tag="LT-1", badge="0042", due=DUE))
    _do(db, StockIn(tag="LT-1"))
    _do(db, StockOut(tag="LT-1", badge="0043", due=DUE))
    _do(db, StockOut(tag="LT-3", badge="0042"))
    _do(db, Repair(tag="LT-3"))
    _do(db, MarkLost(tag="LT-2"))
    _do(db, MarkFound(tag="LT-2"))
    _do(db, Assign(tag="LT-2", slot=_slot("B:2")))  # found, back in stock: it keeps A:3 as home
    _do(db, Retire(tag="LT-4"))
    _do(db, AddAsset(tag="LT-5"))
    _do(db, StockOut(tag="LT-5", badge="0043"))
    _do(db, StockIn(tag="LT-5", slot=_slot("A:4")))  # its first slot becomes its home
    _do(db, MarkLost(tag="LT-5"))
    slots.init_case(db, "A", 6, actor=ACTOR)  # grows around the slots in use
    slots.init_case(db, "B", 2, actor=ACTOR)  # B:3 goes: LT-4's home, cleared when it retired
    _do(db, AddAsset(tag="LT-6", into=_slot("A:5")))
    _do(db, StockOut(tag="LT-6", badge="0042"))
    _do(db, StockIn(tag="LT-6"))  # back home, and left there
    people.remove_person(db, "0044", actor=ACTOR)


NEW = {"name": "", "model": "", "serial": "", "notes": "", "snipeit_id": None}
AFTER_ASSETS = {
    "LT-1": {"name": "MacBook", "model": "A2338", "serial": "C02X", "status": "IN_CUSTODY",
             "home_case": "A", "home_pos": 1, "custodian": "0043", "due": DUE, "notes": "dent",
             "snipeit_id": 7},
    "LT-2": {"name": "ThinkPad", "model": "T14", "serial": "PF3", "status": "IN_STOCK",
             "home_case": "A", "home_pos": 3, "custodian": None, "due": None, "notes": "new",
             "snipeit_id": 9},
    "LT-3": {**NEW, "status": "REPAIR", "home_case": "B", "home_pos": 1, "custodian": None,
             "due": None},
    "LT-4": {**NEW, "status": "RETIRED", "home_case": None, "home_pos": None, "custodian": None,
             "due": None},
    "LT-5": {**NEW, "status": "LOST", "home_case": "A", "home_pos": 4, "custodian": None,
             "due": None},
    "LT-6": {**NEW, "status": "IN_STOCK", "home_case": "A", "home_pos": 5, "custodian": None,
             "due": None},
}  # fmt: skip
AFTER_SLOTS = {
    ("A", 1): None, ("A", 2): None, ("A", 3): None, ("A", 4): None, ("A", 5): "LT-6",
    ("A", 6): None, ("B", 1): None, ("B", 2): "LT-2",
}  # fmt: skip


@pytest.fixture
def history(db):
    _history(db)
    return db


def _compare(db):
    with db.read() as conn:
        return replay.compare(conn)


def _named(db):
    return [str(d) for d in _compare(db)[1]]


def _sql(db, *statements):
    conn = sqlite3.connect(db.path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def _forge(db, op, details=None, **columns):
    """Append an event through the log's own writer, as a forger with the code would."""
    with db.write() as conn:
        events.append(conn, actor=ACTOR, op=op, details=details, **columns)


# -- the log gives the tables exactly ----------------------------------------------


def test_every_kind_of_change_replays_to_the_tables(history):
    state, differences = _compare(history)
    assert differences == []
    assert state.problems == []
    assert state.assets == AFTER_ASSETS
    assert state.slots == AFTER_SLOTS
    assert state.people == {"0042": "Alice Ng", "0043": "Bob Okafor"}
    with history.read() as conn:
        assert state.events == events.verify(conn).count == 32


def test_an_empty_log_replays_to_empty_tables(db):
    state, differences = _compare(db)
    assert (state.assets, state.slots, state.people, state.events) == ({}, {}, {}, 0)
    assert differences == []
    # What a reader deriving state event by event with KINDS starts from.
    assert replay.State() == state


def test_an_add_without_details_is_a_new_empty_asset_in_stock(db):
    """A sparse event (an older writer's) takes the new asset's defaults for what it omits."""
    _forge(db, "add", asset="LT-9")
    _forge(db, "add", {"name": "Dell", "serial": "X1"}, asset="LT-8")
    state = replay.replay(db.conn)
    assert state.assets["LT-9"] == {
        "name": "", "model": "", "serial": "", "status": "IN_STOCK", "home_case": None,
        "home_pos": None, "custodian": None, "due": None, "notes": "", "snipeit_id": None,
    }  # fmt: skip
    assert state.assets["LT-8"] == {**state.assets["LT-9"], "name": "Dell", "serial": "X1"}
    assert state.problems == []


def test_only_the_fields_the_log_determines_are_taken_from_details(db):
    slots.init_case(db, "A", 2, actor=ACTOR)
    _forge(db, "add", {"status": "LOST", "custodian": "0042", "created": "x"}, asset="LT-9")
    _forge(db, "update", {"status": "REPAIR", "name": "Kept"}, asset="LT-9")
    assert replay.replay(db.conn).assets["LT-9"]["status"] == "IN_STOCK"
    assert replay.replay(db.conn).assets["LT-9"]["custodian"] is None
    assert replay.replay(db.conn).assets["LT-9"]["name"] == "Kept"


# -- rows changed behind the log's back --------------------------------------------


def test_an_asset_row_changed_without_its_event_names_each_field(history):
    _sql(
        history,
        "UPDATE assets SET status = 'IN_STOCK', custodian = NULL, due = NULL, snipeit_id = 8 "
        "WHERE tag = 'LT-1'",
    )
    assert _named(history) == [
        "asset LT-1: status 'IN_STOCK', the log says 'IN_CUSTODY'; custodian none, the log "
        f"says '0043'; due none, the log says '{DUE}'; snipeit_id 8, the log says 7"
    ]


def test_assets_added_or_removed_behind_the_logs_back_are_named(history):
    _sql(
        history,
        "INSERT INTO assets (tag, created, updated) VALUES ('LT-0', 'now', 'now')",
        "DELETE FROM assets WHERE tag IN ('LT-4', 'LT-3')",
    )
    assert _named(history) == [
        "asset LT-0: not in the log",
        "asset LT-3: in the log, missing from the table",
        "asset LT-4: in the log, missing from the table",
    ]


def test_slots_changed_behind_the_logs_back_are_named(history):
    _sql(
        history,
        "UPDATE slots SET current_asset_tag = NULL WHERE case_name = 'B' AND slot_position = 2",
        "UPDATE slots SET current_asset_tag = 'LT-2' WHERE case_name = 'A' AND slot_position = 3",
        "INSERT INTO slots VALUES ('C', 1, NULL)",
        "DELETE FROM slots WHERE case_name = 'A' AND slot_position IN (5, 6)",
    )
    assert _named(history) == [
        "slot A:3: holds LT-2, the log says empty",
        "slot B:2: holds empty, the log says LT-2",
        "slot C:1: not in the log",
        "slot A:5: in the log, missing from the table",
        "slot A:6: in the log, missing from the table",
    ]


def test_people_changed_behind_the_logs_back_are_named(history):
    _sql(
        history,
        "UPDATE people SET name = 'Eve' WHERE badge = '0042'",
        "INSERT INTO people VALUES ('0666', 'Mallory', 'now')",
        "DELETE FROM people WHERE badge = '0043'",
    )
    assert _named(history) == [
        "person 0042: name 'Eve', the log says 'Alice Ng'",
        "person 0666: not in the log",
        "person 0043: in the log, missing from the table",
    ]


def test_events_that_do_not_fit_come_first_then_assets_slots_people(history):
    _forge(history, "person_remove", person="0099")
    _sql(
        history,
        "INSERT INTO people VALUES ('0666', 'Mallory', 'now')",
        "INSERT INTO slots VALUES ('C', 1, NULL)",
        "UPDATE assets SET notes = 'sold' WHERE tag = 'LT-2'",
    )
    differences = _compare(history)[1]
    assert [(d.table, d.subject) for d in differences] == [
        ("event", ""), ("asset", "LT-2"), ("slot", "C:1"), ("person", "0666"),
    ]  # fmt: skip
    assert str(differences[0]) == "event 33 (person_remove): person 0099 removed but never added"
    assert str(differences[1]) == "asset LT-2: notes 'sold', the log says 'new'"


def test_a_difference_is_a_value():
    one = replay.Difference("asset", "LT-1", "not in the log")
    assert one == replay.Difference("asset", "LT-1", "not in the log")
    assert len({one, replay.Difference("asset", "LT-1", "not in the log")}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.text = "fine"  # type: ignore[misc]


def test_the_meaning_of_each_kind_cannot_be_changed_by_a_caller():
    with pytest.raises(dataclasses.FrozenInstanceError):
        replay.KINDS["add"].needs = ("name",)  # type: ignore[misc]


# -- forged events that do not fit the state -------------------------------------


def test_events_that_contradict_the_state_are_named_and_the_rest_replayed(db):
    _forge(db, "case_init", {"case": "A", "slots": 3, "was": 0})
    _forge(db, "person_add", {"name": "Alice"}, person="0042")
    _forge(db, "person_add", {"name": "Alice again"}, person="0042")
    _forge(db, "person_add", {"name": "Nobody"})
    _forge(db, "add", asset="LT-1", to_slot="A:1")
    _forge(db, "add", asset="LT-1")
    _forge(db, "add")
    _forge(db, "add", asset="LT-2", to_slot="A:1")
    _forge(db, "add", asset="LT-3", to_slot="A:9")
    _forge(db, "move", asset="LT-3", from_slot="A:2", to_slot="A:3")
    _forge(db, "vacate", asset="LT-3", from_slot="A:7")
    _forge(db, "vacate")
    _forge(db, "stock_out", asset="LT-1", from_slot="A:1", person="0042")
    _forge(db, "case_init", {"case": "A", "slots": 1, "was": 3})
    _forge(db, "person_remove", person="0042")
    _forge(db, "person_remove", person="0042")
    state = replay.replay(db.conn)
    assert state.problems == [
        "event 3 (person_add): person 0042 added twice",
        "event 4 (person_add): person None added twice",
        "event 6 (add): asset LT-1 added twice",
        "event 7 (add): no asset named",
        "event 8 (add): slot A:1 already holds LT-1",
        "event 9 (add): slot A:9 does not exist",
        "event 10 (move): LT-3 was not in slot A:2",
        "event 11 (vacate): LT-3 was not in slot A:7",
        "event 12 (vacate): unknown asset None",
        "event 13 (stock_out): LT-1 was not in slot A:1",
        "event 14 (case_init): slot A:3 removed while holding an asset",
        "event 16 (person_remove): person 0042 removed but never added",
    ]
    assert state.events == 16
    # Each event that did not fit still did what it could: LT-2 took A:1 over, LT-1's
    # stock-out emptied it, LT-3 is where its forged add put it.
    assert state.slots == {("A", 1): None, ("A", 9): "LT-3"}
    assert state.people == {"None": "Nobody"}
    assert state.assets["LT-1"]["custodian"] == "0042"
    assert state.assets["LT-1"]["status"] == "IN_CUSTODY"


def test_a_slot_left_and_taken_by_one_event_is_free_for_the_next(db):
    _forge(db, "case_init", {"case": "A", "slots": 2, "was": 0})
    _forge(db, "add", asset="LT-1", to_slot="A:1")
    _forge(db, "move", asset="LT-1", from_slot="A:1", to_slot="A:2")
    _forge(db, "add", asset="LT-2", to_slot="A:1")
    state = replay.replay(db.conn)
    assert state.problems == []
    assert state.slots == {("A", 1): "LT-2", ("A", 2): "LT-1"}


def test_the_same_details_replay_the_same_for_every_event_that_carries_them(db):
    """Short details are parsed once and shared: sharing must not leak one event into another."""
    _forge(db, "case_init", {"case": "A", "slots": 2, "was": 0})
    for tag in ("LT-1", "LT-2"):
        _forge(db, "add", {"name": "Same"}, asset=tag)
    _forge(db, "update", {"name": "Other"}, asset="LT-1")
    _forge(db, "add", {"name": "Same"}, asset="LT-3")
    state = replay.replay(db.conn)
    assert [state.assets[t]["name"] for t in ("LT-1", "LT-2", "LT-3")] == ["Other", "Same", "Same"]


# -- what each kind says its events carry ----------------------------------------


def test_each_kind_names_every_column_and_detail_its_events_carry(history, db_path, tmp_path):
    """``Kind.details`` is the reader's key to the log: it must not leave anything out."""
    copy, other = tmp_path / "copy.db", tmp_path / "other.db"
    backup.backup(db_path, copy)
    with Database(other) as live:
        add(live, "LT-X")  # a live log the restore replaces
    backup.restore(copy, other, ACTOR)
    with history.read() as conn:
        logged = events.recent(conn, limit=1000)
    with Database(other) as restored, restored.read() as conn:
        logged += events.recent(conn, limit=1)
    assert {e.op for e in logged} == set(replay.KINDS)
    for event in logged:
        named = set(re.findall(r"\w+", replay.KINDS[event.op].details))
        columns = {c for c in ("from_slot", "to_slot", "person") if getattr(event, c) is not None}
        carried = columns | set(json.loads(event.details))
        assert carried <= named, (event.op, carried - named)


def test_a_case_init_removes_exactly_the_slots_its_event_names(db):
    """An event that understates the old size (``was``) is replayed as written, not guessed."""
    _forge(db, "case_init", {"case": "A", "slots": 4, "was": 0})
    _forge(db, "case_init", {"case": "A", "slots": 1, "was": 2})
    state = replay.replay(db.conn)
    assert state.slots == {("A", 1): None, ("A", 3): None, ("A", 4): None}
    assert state.problems == []


def test_a_log_emptied_behind_the_tables_names_every_row(history):
    _sql(
        history,
        "DROP TRIGGER events_no_delete",
        "DELETE FROM events",
    )
    named = _named(history)
    assert [n for n in named if n.startswith("asset ")] == [
        f"asset LT-{n}: not in the log" for n in range(1, 7)
    ]
    assert len([n for n in named if n.startswith("slot ")]) == len(AFTER_SLOTS)
    assert [n for n in named if n.startswith("person ")] == [
        "person 0042: not in the log",
        "person 0043: not in the log",
    ]
