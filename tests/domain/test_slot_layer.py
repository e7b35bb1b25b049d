"""The slot layer's own reads and writes, called directly on a real file.

``test_slots.py`` proves the slot rules through the operations; this file
proves what each function of :mod:`kiosk.domain.slots` says and writes: the
refusal's words and machine code, which rows a case gets, and the event a
case change appends.
"""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.domain import slots
from kiosk.domain.custody import StockOut
from kiosk.domain.operations import execute
from kiosk.domain.placement import Vacate
from kiosk.domain.slots import CaseInfo
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, InvalidInput, NotFound, StorageError
from tests.conftest import ACTOR, add, snapshot
from tests.domain.helpers import last_event, sound


def rows(db, case):
    with db.read() as conn:
        return conn.execute(
            "SELECT slot_position, current_asset_tag FROM slots WHERE case_name = ? "
            "ORDER BY slot_position",
            (case,),
        ).fetchall()


def case_change(db):
    """The details of the newest event, a case change that names no asset, slot or person."""
    op, *about, details = last_event(db)
    assert (op, about) == ("case_init", [None, None, None, None])
    return details


# -- reads --------------------------------------------------------------------


def test_occupant_names_the_tag_in_a_slot_or_none(stocked):
    with stocked.read() as conn:
        assert slots.occupant(conn, SlotRef("A", 1)) == "LT-1"
        assert slots.occupant(conn, SlotRef("B", 1)) == "LT-3"
        assert slots.occupant(conn, SlotRef("A", 3)) is None


def test_an_unknown_slot_says_which_slots_its_case_has(stocked):
    with stocked.read() as conn:
        with pytest.raises(NotFound, match=r"^no slot A:5: case A has slots 1..4$") as info:
            slots.occupant(conn, SlotRef("A", 5))
        assert info.value.code == "not_found"
        with pytest.raises(NotFound, match=r"^no slot B:3: case B has slots 1..2$"):
            slots.require_exists(conn, SlotRef("B", 3))
        with pytest.raises(NotFound, match=r"^unknown case Z$"):
            slots.require_empty(conn, SlotRef("Z", 1))


def test_a_slot_exists_full_or_empty_and_says_which(stocked):
    with stocked.read() as conn:
        assert slots.require_exists(conn, SlotRef("A", 1)) is None
        assert slots.require_exists(conn, SlotRef("A", 4)) is None
        assert slots.is_empty(conn, SlotRef("A", 4)) is True
        assert slots.is_empty(conn, SlotRef("A", 1)) is False


def test_require_empty_names_the_occupant_with_its_code(stocked):
    with stocked.read() as conn:
        assert slots.require_empty(conn, SlotRef("A", 3)) is None
        with pytest.raises(HardStop, match=r"^slot B:1 holds LT-3$") as info:
            slots.require_empty(conn, SlotRef("B", 1))
    assert info.value.code == "slot_occupied"


def test_slot_of_and_is_slotted_say_where_a_tag_sits(stocked):
    with stocked.read() as conn:
        assert slots.slot_of(conn, "LT-3") == SlotRef("B", 1)
        assert slots.slot_of(conn, "LT-4") is None
        assert slots.slot_of(conn, "NOPE") is None
        assert slots.is_slotted(conn, "LT-1") is True
        assert slots.is_slotted(conn, "LT-4") is False


def test_case_size_counts_slots_full_or_empty(stocked):
    with stocked.read() as conn:
        assert slots.case_size(conn, "A") == 4
        assert slots.case_size(conn, "B") == 2
        assert slots.case_size(conn, "Z") == 0


def test_first_free_takes_the_lowest_free_slot_in_case_order(stocked):
    execute(stocked, Vacate(tag="LT-3"), actor=ACTOR)  # B:1 empty, but LT-3's home
    with stocked.read() as conn:
        assert slots.first_free(conn) == SlotRef("A", 3)
        assert slots.first_free(conn, "A") == SlotRef("A", 3)
        assert slots.first_free(conn, "B") == SlotRef("B", 2)


def test_no_free_slot_names_the_case_when_one_was_asked_for(stocked):
    add(stocked, "LT-5", "B:2")
    with stocked.read() as conn:
        with pytest.raises(HardStop, match=r"^no free slot in B$") as info:
            slots.first_free(conn, "B")
        assert info.value.code == "no_free_slot"
        with pytest.raises(HardStop, match=r"^no free slot in Z$"):
            slots.first_free(conn, "Z")
        assert slots.first_free(conn) == SlotRef("A", 3)


def test_no_free_slot_anywhere(db):
    slots.init_case(db, "A", 1, actor=ACTOR)
    add(db, "X", "A:1")
    with db.read() as conn, pytest.raises(HardStop, match=r"^no free slot$") as info:
        slots.first_free(conn)
    assert info.value.code == "no_free_slot"


def test_the_home_of_a_laptop_on_loan_is_not_free(stocked):
    execute(stocked, StockOut("LT-3", "0042"), actor=ACTOR)  # B:1 empty, kept for its return
    with stocked.read() as conn:
        assert slots.first_free(conn, "B") == SlotRef("B", 2)


def test_list_slots_gives_every_slot_in_physical_order(stocked):
    a1, a2, a3, a4 = (SlotRef("A", p) for p in range(1, 5))
    with stocked.read() as conn:
        assert slots.list_slots(conn) == [
            (a1, "LT-1"),
            (a2, "LT-2"),
            (a3, None),
            (a4, None),
            (SlotRef("B", 1), "LT-3"),
            (SlotRef("B", 2), None),
        ]
        assert slots.list_slots(conn, " B ") == [(SlotRef("B", 1), "LT-3"), (SlotRef("B", 2), None)]


def test_list_slots_of_an_unknown_or_bad_case_is_refused(stocked):
    with stocked.read() as conn:
        with pytest.raises(NotFound, match=r"^unknown case nope$"):
            slots.list_slots(conn, "nope")
        with pytest.raises(InvalidInput, match=r"^case name may not contain ':'"):
            slots.list_slots(conn, "A:1")


def test_an_empty_room_lists_no_slots_and_no_cases(db):
    with db.read() as conn:
        assert slots.list_slots(conn) == []
        assert slots.list_cases(conn) == []


def test_list_cases_says_how_full_each_case_is(stocked):
    with stocked.read() as conn:
        assert slots.list_cases(conn) == [CaseInfo("A", 4, 2), CaseInfo("B", 2, 1)]


def test_a_case_as_scripts_read_it(stocked):
    with stocked.read() as conn:
        info = slots.list_cases(conn)[0]
    assert info.as_dict() == {"case": "A", "slots": 4, "occupied": 2}
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.occupied = 0  # type: ignore[misc]


def test_where_finds_a_known_asset_by_its_typed_tag(stocked):
    assert slots.where(stocked.conn, " LT-3 ") == SlotRef("B", 1)
    assert slots.where(stocked.conn, "LT-4") is None
    with pytest.raises(NotFound, match=r"^unknown asset LT-9$"):
        slots.where(stocked.conn, "LT-9")
    with pytest.raises(InvalidInput, match=r"^asset tag is empty$"):
        slots.where(stocked.conn, "  ")


def test_where_on_an_unusable_connection_is_a_typed_error(tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "x.db")
    conn.close()
    with pytest.raises(StorageError, match="^database error: "):
        slots.where(conn, "LT-1")


# -- the writes ---------------------------------------------------------------


def test_occupy_fills_an_empty_slot(stocked):
    with stocked.write() as conn:
        slots.occupy(conn, SlotRef("A", 3), "LT-4")
    assert rows(stocked, "A") == [(1, "LT-1"), (2, "LT-2"), (3, "LT-4"), (4, None)]


@pytest.mark.parametrize("ref", [SlotRef("A", 2), SlotRef("A", 9), SlotRef("Z", 1)])
def test_occupy_refuses_a_slot_that_is_not_free(stocked, ref):
    before = snapshot(stocked)
    with (
        stocked.write() as conn,
        pytest.raises(HardStop, match=rf"^slot {ref} is not free$") as info,
    ):
        slots.occupy(conn, ref, "LT-4")
    assert info.value.code == "slot_occupied"
    assert snapshot(stocked) == before


def test_release_empties_a_slot_holding_the_tag(stocked):
    with stocked.write() as conn:
        slots.release(conn, SlotRef("A", 2), "LT-2")
    assert rows(stocked, "A") == [(1, "LT-1"), (2, None), (3, None), (4, None)]


@pytest.mark.parametrize(
    "ref, tag",
    [(SlotRef("A", 2), "LT-1"), (SlotRef("A", 3), "LT-4"), (SlotRef("A", 9), "LT-1")],
)
def test_release_refuses_a_slot_that_does_not_hold_the_tag(stocked, ref, tag):
    before = snapshot(stocked)
    with (
        stocked.write() as conn,
        pytest.raises(HardStop, match=rf"^slot {ref} does not hold {tag}$") as info,
    ):
        slots.release(conn, ref, tag)
    assert info.value.code == "slot_changed"
    assert snapshot(stocked) == before


def test_a_new_case_gets_slots_one_to_count_and_one_event(db):
    info = slots.init_case(db, " CART-A ", 3, actor=ACTOR)
    assert info == CaseInfo("CART-A", 3, 0)
    assert rows(db, "CART-A") == [(1, None), (2, None), (3, None)]
    assert case_change(db) == {"case": "CART-A", "slots": 3, "was": 0}
    sound(db)


def test_a_case_grows_by_the_missing_positions(stocked):
    info = slots.init_case(stocked, "B", 5, actor=ACTOR)
    assert info == CaseInfo("B", 5, 1)
    assert rows(stocked, "B") == [(1, "LT-3"), (2, None), (3, None), (4, None), (5, None)]
    assert case_change(stocked) == {"case": "B", "slots": 5, "was": 2}
    sound(stocked)


def test_a_case_shrinks_by_its_last_empty_positions(stocked):
    info = slots.init_case(stocked, "A", 2, actor=ACTOR)
    assert info == CaseInfo("A", 2, 2)
    assert rows(stocked, "A") == [(1, "LT-1"), (2, "LT-2")]
    assert rows(stocked, "B") == [(1, "LT-3"), (2, None)]
    assert case_change(stocked) == {"case": "A", "slots": 2, "was": 4}
    sound(stocked)


def test_the_same_count_changes_nothing_and_logs_nothing(stocked):
    before = snapshot(stocked)
    assert slots.init_case(stocked, "A", 4, actor=ACTOR) == CaseInfo("A", 4, 2)
    assert snapshot(stocked) == before


def test_a_shrink_names_the_first_occupied_slot_it_would_remove(stocked):
    add(stocked, "LT-5", "A:4")
    before = snapshot(stocked)
    with pytest.raises(HardStop, match=r"^cannot shrink A to 1: slot A:2 holds LT-2$") as info:
        slots.init_case(stocked, "A", 1, actor=ACTOR)
    assert info.value.code == "slot_occupied"
    with pytest.raises(HardStop, match=r"^cannot shrink A to 3: slot A:4 holds LT-5$"):
        slots.init_case(stocked, "A", 3, actor=ACTOR)
    assert snapshot(stocked) == before


def test_a_shrink_keeps_the_home_of_an_asset_out_of_its_slot(stocked):
    execute(stocked, Vacate(tag="LT-2"), actor=ACTOR)
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    before = snapshot(stocked)
    with pytest.raises(HardStop, match=r"^cannot shrink A to 1: slot A:2 is home of LT-2$") as info:
        slots.init_case(stocked, "A", 1, actor=ACTOR)
    assert info.value.code == "slot_is_home"
    assert snapshot(stocked) == before
