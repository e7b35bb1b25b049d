"""Each invariant, broken behind the schema's back, is named with what breaks it.

The schema already refuses all of these; a file edited with the sqlite3
shell (constraints ignored, a trigger or an index dropped, foreign keys
off) is what they exist for, so that is how each one is broken here.
"""

from __future__ import annotations

import pytest

from kiosk.domain import people, slots
from kiosk.store import invariants
from tests.conftest import add

ACTOR = "test"


@pytest.fixture
def conn(db):
    """A:1 holds LT-1 (its home), A:2 empty, B:1..3 empty; LT-2 unslotted; badge 0042."""
    slots.init_case(db, "A", 2, actor=ACTOR)
    slots.init_case(db, "B", 3, actor=ACTOR)
    add(db, "LT-1", "A:1")
    add(db, "LT-2")
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    c = db.conn
    c.execute("PRAGMA foreign_keys = OFF")
    c.execute("PRAGMA ignore_check_constraints = ON")
    return c


def _rowid(conn, table, where):
    return conn.execute(f"SELECT rowid FROM {table} WHERE {where}").fetchone()[0]


def test_sound_data_breaks_nothing(conn):
    assert invariants.violations(conn) == []
    assert invariants.integrity(conn) == []
    assert [(name, found) for name, found, _ in invariants.by_rule(conn)] == [
        (name, []) for name, _, _ in invariants.RULES
    ] + [("foreign keys", [])]


def test_an_asset_in_two_slots(conn):
    conn.execute("DROP INDEX slots_one_slot_per_asset")
    conn.execute("UPDATE slots SET current_asset_tag = 'LT-1' WHERE case_name = 'B'")
    assert invariants.violations(conn) == ["asset in two slots: LT-1 occupies more than one slot"]


def test_an_unknown_tag_in_a_slot(conn):
    conn.execute("DROP TRIGGER slots_hold_only_stock_update")
    conn.execute(
        "UPDATE slots SET current_asset_tag = 'GHOST' WHERE case_name = 'A' AND slot_position = 2"
    )
    row = _rowid(conn, "slots", "current_asset_tag = 'GHOST'")
    assert invariants.violations(conn) == [
        "slotted tag unknown: GHOST sits in a slot but is not a known asset",
        f"foreign keys: slots row {row} -> assets points to a missing row",
    ]


def test_a_slotted_asset_out_of_stock(conn):
    conn.execute("DROP TRIGGER assets_leave_slot_first")
    conn.execute("UPDATE assets SET status = 'REPAIR' WHERE tag = 'LT-1'")
    assert invariants.violations(conn) == [
        "slotted asset not in stock: LT-1 (REPAIR) occupies a slot while not in stock"
    ]


def test_custody_without_a_custodian(conn):
    conn.execute("UPDATE assets SET status = 'IN_CUSTODY' WHERE tag = 'LT-2'")
    assert invariants.violations(conn) == [
        "custody without custodian: LT-2 has status and custodian out of step"
    ]
    # SQLite's own check sees the broken CHECK constraint too, once it looks.
    conn.execute("PRAGMA ignore_check_constraints = OFF")
    assert invariants.integrity(conn) == ["CHECK constraint failed in assets"]


def test_a_custodian_nobody_knows(conn):
    conn.execute("UPDATE assets SET status = 'IN_CUSTODY', custodian = '9999' WHERE tag = 'LT-2'")
    row = _rowid(conn, "assets", "tag = 'LT-2'")
    assert invariants.violations(conn) == [
        "custodian unknown: LT-2 is held by an unknown badge",
        f"foreign keys: assets row {row} -> people points to a missing row",
    ]


def test_a_slot_below_position_one(conn):
    conn.execute("INSERT INTO slots VALUES ('Z', 0, NULL)")
    assert invariants.violations(conn) == [
        "slot position invalid: Z:0 has a position below 1",
        "case has gaps: Z does not have slots numbered 1..N",
    ]


def test_a_case_with_a_gap(conn):
    conn.execute("DELETE FROM slots WHERE case_name = 'B' AND slot_position = 2")
    assert invariants.violations(conn) == ["case has gaps: B does not have slots numbered 1..N"]


def test_a_home_slot_that_does_not_exist(conn):
    conn.execute("UPDATE assets SET home_case = 'A', home_pos = 9 WHERE tag = 'LT-2'")
    assert invariants.violations(conn) == [
        "home slot missing: LT-2 has a home slot that does not exist"
    ]


def test_every_subject_of_a_rule_is_named(conn):
    conn.execute("UPDATE assets SET home_case = 'Q', home_pos = 1")
    assert invariants.violations(conn) == [
        "home slot missing: LT-1 has a home slot that does not exist",
        "home slot missing: LT-2 has a home slot that does not exist",
    ]
