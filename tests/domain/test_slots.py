"""The slot layer: every operation and every hard stop, read back from the file."""

from __future__ import annotations

import pytest

from kiosk.domain import slots
from kiosk.domain.custody import StockOut
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, InvalidInput, NotFound
from tests.conftest import ACTOR, add
from tests.domain.helpers import refused, sound


def where(db, tag):
    return slots.where(db.conn, tag)


def test_init_creates_numbered_slots(db):
    info = slots.init_case(db, "CART-A", 3, actor=ACTOR)
    assert (info.slots, info.occupied) == (3, 0)
    with db.read() as conn:
        assert [str(r) for r, _ in slots.list_slots(conn, "CART-A")] == [
            "CART-A:1",
            "CART-A:2",
            "CART-A:3",
        ]
    sound(db)


def test_init_same_count_is_a_noop_without_event(db):
    slots.init_case(db, "A", 3, actor=ACTOR)
    before = db.conn.execute("SELECT count(*) FROM events").fetchone()
    slots.init_case(db, "A", 3, actor=ACTOR)
    assert db.conn.execute("SELECT count(*) FROM events").fetchone() == before


def test_init_grows_and_shrinks_empty_slots(stocked):
    slots.init_case(stocked, "A", 6, actor=ACTOR)
    slots.init_case(stocked, "A", 3, actor=ACTOR)
    with stocked.read() as conn:
        assert len(slots.list_slots(conn, "A")) == 3
    sound(stocked)


def test_shrink_refused_while_removed_slot_occupied(stocked):
    refused(
        stocked,
        HardStop,
        r"cannot shrink A to 1: slot A:2 holds LT-2",
        lambda: slots.init_case(stocked, "A", 1, actor=ACTOR),
    )


def test_shrink_refused_while_removed_slot_is_a_home(stocked):
    execute(stocked, Vacate(tag="LT-2"), actor=ACTOR)
    refused(
        stocked,
        HardStop,
        r"slot A:2 is home of LT-2",
        lambda: slots.init_case(stocked, "A", 1, actor=ACTOR),
    )


@pytest.mark.parametrize(
    "case, count, message",
    [
        ("", 3, "case name is empty"),
        ("A:B", 3, "may not contain ':'"),
        ("A\x1b[2J", 3, r"control characters: A\\x1b\[2J"),
        ("A", 0, "slot count must be 1 to 1000"),
        ("A", -1, "slot count must be 1 to 1000"),
        ("A", "x", "slot count must be 1 to 1000: x"),
        ("A", 1001, "slot count must be 1 to 1000"),
    ],
)
def test_init_rejects_bad_input(db, case, count, message):
    refused(db, InvalidInput, message, lambda: slots.init_case(db, case, count, actor=ACTOR))


def test_names_are_stripped(db):
    slots.init_case(db, "  CART-A ", 2, actor=ACTOR)
    with db.read() as conn:
        assert slots.list_cases(conn)[0].case == "CART-A"


def test_assign_into_empty_slot(stocked):
    execute(stocked, Assign("LT-4", SlotRef.of("A", 3)), actor=ACTOR)
    assert where(stocked, "LT-4") == SlotRef("A", 3)
    sound(stocked)


def test_assign_refuses_occupied_slot_naming_occupant(stocked):
    refused(
        stocked,
        HardStop,
        r"^slot A:1 holds LT-1$",
        lambda: execute(stocked, Assign("LT-4", SlotRef.of("A", 1)), actor=ACTOR),
    )


def test_assign_refuses_asset_slotted_elsewhere_naming_where(stocked):
    refused(
        stocked,
        HardStop,
        r"LT-1 is already in A:1",
        lambda: execute(stocked, Assign("LT-1", SlotRef.of("A", 3)), actor=ACTOR),
    )


def test_assign_refuses_unknown_asset_case_and_slot(stocked):
    refused(
        stocked,
        NotFound,
        "unknown asset LT-9",
        lambda: execute(stocked, Assign("LT-9", SlotRef.of("A", 3)), actor=ACTOR),
    )
    refused(
        stocked,
        NotFound,
        "unknown case Z",
        lambda: execute(stocked, Assign("LT-4", SlotRef.of("Z", 1)), actor=ACTOR),
    )
    refused(
        stocked,
        NotFound,
        r"no slot A:9: case A has slots 1..4",
        lambda: execute(stocked, Assign("LT-4", SlotRef.of("A", 9)), actor=ACTOR),
    )


def test_assign_refuses_asset_in_custody(stocked):

    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    refused(
        stocked,
        HardStop,
        r"LT-1 is out with Alice Ng \(0042\)",
        lambda: execute(stocked, Assign("LT-1", SlotRef.of("A", 1)), actor=ACTOR),
    )


def test_vacate_by_position_and_by_asset(stocked):
    execute(stocked, Vacate(slot=SlotRef.of("A", 1)), actor=ACTOR)
    execute(stocked, Vacate(tag="LT-2"), actor=ACTOR)
    assert where(stocked, "LT-1") is None and where(stocked, "LT-2") is None
    with stocked.read() as conn:
        assert slots.is_empty(conn, SlotRef("A", 1))
        assert not slots.is_slotted(conn, "LT-2")
    sound(stocked)


def test_vacate_refuses_empty_slot_and_unslotted_asset(stocked):
    refused(
        stocked,
        HardStop,
        "slot A:3 is empty",
        lambda: execute(stocked, Vacate(slot=SlotRef.of("A", 3)), actor=ACTOR),
    )
    refused(
        stocked,
        HardStop,
        "LT-4 is not in a slot",
        lambda: execute(stocked, Vacate(tag="LT-4"), actor=ACTOR),
    )


def test_move_is_atomic_and_updates_home(stocked):
    execute(stocked, Move("LT-1", SlotRef.of("B", 2)), actor=ACTOR)
    assert where(stocked, "LT-1") == SlotRef("B", 2)
    with stocked.read() as conn:
        assert slots.occupant(conn, SlotRef("A", 1)) is None
        row = conn.execute("SELECT home_case, home_pos FROM assets WHERE tag='LT-1'").fetchone()
    assert row == ("B", 2)
    sound(stocked)


def test_move_refusals(stocked):
    refused(
        stocked,
        HardStop,
        r"^slot A:2 holds LT-2$",
        lambda: execute(stocked, Move("LT-1", SlotRef.of("A", 2)), actor=ACTOR),
    )
    refused(
        stocked,
        HardStop,
        "already in A:1",
        lambda: execute(stocked, Move("LT-1", SlotRef.of("A", 1)), actor=ACTOR),
    )
    refused(
        stocked,
        HardStop,
        "LT-4 is not in a slot",
        lambda: execute(stocked, Move("LT-4", SlotRef.of("A", 3)), actor=ACTOR),
    )
    refused(
        stocked,
        NotFound,
        "unknown case Q",
        lambda: execute(stocked, Move("LT-1", SlotRef.of("Q", 1)), actor=ACTOR),
    )


def test_queries(stocked):
    with stocked.read() as conn:
        cases = {c.case: (c.slots, c.occupied) for c in slots.list_cases(conn)}
        assert cases == {"A": (4, 2), "B": (2, 1)}
        assert slots.first_free(conn) == SlotRef("A", 3)
        assert slots.first_free(conn, "B") == SlotRef("B", 2)
        with pytest.raises(NotFound):
            slots.list_slots(conn, "nope")


def test_first_free_when_full(db):
    slots.init_case(db, "A", 1, actor=ACTOR)
    add(db, "X", "A:1")
    with db.read() as conn, pytest.raises(HardStop, match="no free slot"):
        slots.first_free(conn)


def test_schema_refuses_what_the_layer_would(stocked):
    """The database itself enforces one slot per asset and known tags."""
    import sqlite3

    conn = stocked.conn
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "UPDATE slots SET current_asset_tag='LT-1' WHERE case_name='A' AND slot_position=3"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "UPDATE slots SET current_asset_tag='GHOST' WHERE case_name='A' AND slot_position=3"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO slots VALUES ('A', 0, NULL)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO slots VALUES ('A', 1, NULL)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE assets SET status='RETIRED' WHERE tag='LT-1'")
    sound(stocked)


def test_every_change_is_logged(stocked):
    execute(stocked, Move("LT-1", SlotRef.of("A", 4)), actor=ACTOR)
    with stocked.read() as conn:
        last = conn.execute(
            "SELECT op, asset, from_slot, to_slot, actor FROM events ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert last == ("move", "LT-1", "A:1", "A:4", ACTOR)


def test_first_free_skips_the_home_of_an_asset_on_loan(stocked):

    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)  # A:1 is empty but reserved
    execute(
        stocked, Vacate(slot=SlotRef.of("A", 2)), actor=ACTOR
    )  # A:2 is empty, home of LT-2 (unslotted)
    with stocked.read() as conn:
        assert slots.first_free(conn) == SlotRef("A", 3)
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM assets WHERE home_case = 'A' AND home_pos = 1"
        ).fetchall()
    assert "assets_home" in str(plan)
