"""Custody transitions: each allowed one, and each refused one leaves no trace."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain import assets, people
from kiosk.domain.custody import STATUS_CHANGES, StockIn, StockOut
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import commit, execute, preview
from kiosk.domain.placement import Assign, Move
from kiosk.domain.types import SlotRef
from kiosk.errors import ChangedSincePreview, HardStop, InvalidInput, NotFound
from tests.conftest import ACTOR, add
from tests.domain.helpers import refused, sound


def get(db, tag):
    with db.read() as conn:
        return assets.get(conn, tag)


def test_stock_out_vacates_slot_and_sets_custodian(stocked):
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    plan = execute(stocked, StockOut("LT-1", "0042", due=due), actor=ACTOR)
    assert plan.summary == "LT-1 -> Alice Ng"
    a = get(stocked, "LT-1")
    assert (a.status, a.slot, a.custodian, a.due, a.home) == (
        "IN_CUSTODY",
        None,
        "0042",
        due,
        SlotRef("A", 1),
    )
    sound(stocked)


def test_stock_out_records_origin_as_home_when_none(stocked):
    execute(stocked, Move("LT-1", SlotRef.of("A", 4)), actor=ACTOR)  # lived at home: home follows
    stocked.conn.execute("UPDATE assets SET home_case=NULL, home_pos=NULL WHERE tag='LT-1'")
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    assert get(stocked, "LT-1").home == SlotRef("A", 4)


def test_stock_in_returns_home(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    execute(stocked, StockIn("LT-1"), actor=ACTOR)
    a = get(stocked, "LT-1")
    assert (a.status, a.slot, a.custodian, a.due) == ("IN_STOCK", SlotRef("A", 1), None, None)
    sound(stocked)


def test_stock_in_to_named_slot(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    execute(stocked, StockIn("LT-1", slot=SlotRef("B", 2)), actor=ACTOR)
    assert get(stocked, "LT-1").slot == SlotRef("B", 2)


def test_stock_in_hard_stop_names_occupant_of_home(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    execute(stocked, Assign("LT-4", SlotRef.of("A", 1)), actor=ACTOR)
    refused(
        stocked,
        HardStop,
        r"^slot A:1 holds LT-4$",
        lambda: execute(stocked, StockIn("LT-1"), actor=ACTOR),
    )


def test_stock_in_without_home_needs_a_slot(stocked):
    refused(
        stocked,
        HardStop,
        "LT-4 has no home slot; name a slot",
        lambda: execute(stocked, StockIn("LT-4"), actor=ACTOR),
    )
    execute(stocked, StockIn("LT-4", slot=SlotRef("A", 3)), actor=ACTOR)
    assert get(stocked, "LT-4").home == SlotRef("A", 3)


@pytest.mark.parametrize(
    "setup, message",
    [
        ("IN_CUSTODY", r"cannot stock out: LT-1 is out with Alice Ng \(0042\)"),
        ("REPAIR", "cannot stock out: LT-1 is REPAIR"),
        ("RETIRED", "cannot stock out: LT-1 is RETIRED"),
        ("LOST", "cannot stock out: LT-1 is LOST"),
    ],
)
def test_stock_out_refused_unless_in_stock(stocked, setup, message):
    ops = {
        "IN_CUSTODY": [("out",)],
        "REPAIR": [("repair",)],
        "RETIRED": [("retire",)],
        "LOST": [("lost",)],
    }[setup]
    for (op,) in ops:
        if op == "out":
            execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
        else:
            execute(stocked, STATUS_CHANGES[op]("LT-1"), actor=ACTOR)
    refused(
        stocked, HardStop, message, lambda: execute(stocked, StockOut("LT-1", "0043"), actor=ACTOR)
    )


def test_stock_out_refusals_for_bad_input(stocked):
    refused(
        stocked,
        NotFound,
        "unknown badge 9999",
        lambda: execute(stocked, StockOut("LT-1", "9999"), actor=ACTOR),
    )
    refused(
        stocked,
        NotFound,
        "unknown asset NOPE",
        lambda: execute(stocked, StockOut("NOPE", "0042"), actor=ACTOR),
    )
    refused(
        stocked,
        InvalidInput,
        "YYYY-MM-DD",
        lambda: execute(stocked, StockOut("LT-1", "0042", due="tomorrow"), actor=ACTOR),
    )
    refused(
        stocked,
        InvalidInput,
        "in the past",
        lambda: execute(stocked, StockOut("LT-1", "0042", due="2000-01-01"), actor=ACTOR),
    )


def test_repair_from_custody_and_back(stocked):
    execute(stocked, StockOut("LT-2", "0043"), actor=ACTOR)
    execute(stocked, STATUS_CHANGES["repair"]("LT-2"), actor=ACTOR)
    a = get(stocked, "LT-2")
    assert (a.status, a.custodian, a.slot) == ("REPAIR", None, None)
    execute(stocked, StockIn("LT-2"), actor=ACTOR)
    assert get(stocked, "LT-2").slot == SlotRef("A", 2)
    sound(stocked)


def test_retire_leaves_slot_and_home(stocked):
    execute(stocked, STATUS_CHANGES["retire"]("LT-1"), actor=ACTOR)
    a = get(stocked, "LT-1")
    assert (a.status, a.slot, a.home) == ("RETIRED", None, None)
    refused(
        stocked,
        HardStop,
        "cannot stock in: LT-1 is RETIRED",
        lambda: execute(stocked, StockIn("LT-1", slot=SlotRef("A", 1)), actor=ACTOR),
    )
    refused(
        stocked,
        HardStop,
        "LT-1 is RETIRED",
        lambda: execute(stocked, Assign("LT-1", SlotRef.of("A", 1)), actor=ACTOR),
    )
    sound(stocked)


def test_retire_refused_while_held(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    refused(
        stocked,
        HardStop,
        r"cannot retire: LT-1 is out with Alice Ng",
        lambda: execute(stocked, STATUS_CHANGES["retire"]("LT-1"), actor=ACTOR),
    )


def test_lost_and_found(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    execute(stocked, STATUS_CHANGES["lost"]("LT-1"), actor=ACTOR)
    a = get(stocked, "LT-1")
    assert (a.status, a.custodian, a.slot) == ("LOST", None, None)
    refused(
        stocked,
        HardStop,
        "cannot mark lost: LT-1 is LOST",
        lambda: execute(stocked, STATUS_CHANGES["lost"]("LT-1"), actor=ACTOR),
    )
    execute(stocked, STATUS_CHANGES["found"]("LT-1"), actor=ACTOR)
    assert get(stocked, "LT-1").status == "IN_STOCK"
    refused(
        stocked,
        HardStop,
        "cannot mark found: LT-1 is IN_STOCK",
        lambda: execute(stocked, STATUS_CHANGES["found"]("LT-1"), actor=ACTOR),
    )
    sound(stocked)


def test_person_cannot_be_removed_while_holding(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    refused(
        stocked,
        HardStop,
        r"Alice Ng \(0042\) holds LT-1",
        lambda: people.remove_person(stocked, "0042", actor=ACTOR),
    )
    execute(stocked, StockIn("LT-1"), actor=ACTOR)
    people.remove_person(stocked, "0042", actor=ACTOR)
    refused(
        stocked,
        NotFound,
        "unknown badge 0042",
        lambda: people.remove_person(stocked, "0042", actor=ACTOR),
    )


def test_schema_refuses_removing_a_holder_directly(stocked):
    import sqlite3

    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    with pytest.raises(sqlite3.IntegrityError):
        stocked.conn.execute("DELETE FROM people WHERE badge='0042'")


def test_add_refusals(stocked):
    refused(stocked, HardStop, "asset LT-1 already exists in A:1", add, stocked, "LT-1")
    refused(stocked, HardStop, "^slot A:1 holds LT-1$", add, stocked, "LT-9", "A:1")
    refused(stocked, InvalidInput, "control characters", add, stocked, "LT\x1b[2J")
    refused(stocked, InvalidInput, "NUL", add, stocked, "LT-9", name="a\x00b")


def test_add_auto_takes_first_free_slot(stocked):
    execute(stocked, AddAsset(tag="LT-9", into="auto"), actor=ACTOR)
    assert get(stocked, "LT-9").slot == SlotRef("A", 3)


def test_preview_writes_nothing_and_commit_applies(stocked):
    before = stocked.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    plan = preview(stocked, StockOut(tag="LT-1", badge="0042"))
    assert stocked.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
    commit(stocked, plan, actor="kiosk")
    assert get(stocked, "LT-1").status == "IN_CUSTODY"


def test_commit_refuses_when_changed_since_preview(stocked):
    plan = preview(stocked, StockIn(tag="LT-4", slot=SlotRef("A", 3)))
    add(stocked, "LT-5", "A:3")  # someone fills the slot from the CLI
    refused(
        stocked,
        ChangedSincePreview,
        r"changed since preview: slot A:3 holds LT-5",
        lambda: commit(stocked, plan, actor="kiosk"),
    )


def test_commit_refuses_when_plan_inputs_moved(stocked):
    plan = preview(stocked, StockOut(tag="LT-1", badge="0042"))
    execute(stocked, Move("LT-1", SlotRef.of("A", 4)), actor=ACTOR)
    err = refused(
        stocked,
        ChangedSincePreview,
        "changed since preview",
        lambda: commit(stocked, plan, actor="kiosk"),
    )
    assert "LT-1 slot was A:1, now A:4" in str(err)
