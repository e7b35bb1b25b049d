"""Custody transitions: each allowed one, and each refused one leaves no trace."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import assets, custody, plans, slots
from kiosk.errors import ChangedSincePreview, HardStop, InvalidInput, NotFound
from kiosk.validate import SlotRef
from tests.conftest import ACTOR, add
from tests.domain.helpers import refused, sound


def get(db, tag):
    with db.read() as conn:
        return assets.get(conn, tag)


def test_stock_out_vacates_slot_and_sets_custodian(stocked):
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    plan = custody.stock_out(stocked, "LT-1", "0042", ACTOR, due=due)
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
    slots.move(stocked, "LT-1", "A", 4, ACTOR)  # lived at home: home follows
    stocked.conn.execute("UPDATE assets SET home_case=NULL, home_pos=NULL WHERE tag='LT-1'")
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    assert get(stocked, "LT-1").home == SlotRef("A", 4)


def test_stock_in_returns_home(stocked):
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    custody.stock_in(stocked, "LT-1", ACTOR)
    a = get(stocked, "LT-1")
    assert (a.status, a.slot, a.custodian, a.due) == ("IN_STOCK", SlotRef("A", 1), None, None)
    sound(stocked)


def test_stock_in_to_named_slot(stocked):
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    custody.stock_in(stocked, "LT-1", ACTOR, slot=SlotRef("B", 2))
    assert get(stocked, "LT-1").slot == SlotRef("B", 2)


def test_stock_in_hard_stop_names_occupant_of_home(stocked):
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    slots.assign(stocked, "LT-4", "A", 1, ACTOR)
    refused(stocked, HardStop, r"^slot A:1 holds LT-4$", custody.stock_in, stocked, "LT-1", ACTOR)


def test_stock_in_without_home_needs_a_slot(stocked):
    refused(
        stocked,
        HardStop,
        "LT-4 has no home slot; name a slot",
        custody.stock_in,
        stocked,
        "LT-4",
        ACTOR,
    )
    custody.stock_in(stocked, "LT-4", ACTOR, slot=SlotRef("A", 3))
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
            custody.stock_out(stocked, "LT-1", "0042", ACTOR)
        else:
            custody.change_status(stocked, op, "LT-1", ACTOR)
    refused(stocked, HardStop, message, custody.stock_out, stocked, "LT-1", "0043", ACTOR)


def test_stock_out_refusals_for_bad_input(stocked):
    refused(
        stocked, NotFound, "unknown badge 9999", custody.stock_out, stocked, "LT-1", "9999", ACTOR
    )
    refused(
        stocked, NotFound, "unknown asset NOPE", custody.stock_out, stocked, "NOPE", "0042", ACTOR
    )
    refused(
        stocked,
        InvalidInput,
        "YYYY-MM-DD",
        custody.stock_out,
        stocked,
        "LT-1",
        "0042",
        ACTOR,
        due="tomorrow",
    )
    refused(
        stocked,
        InvalidInput,
        "in the past",
        custody.stock_out,
        stocked,
        "LT-1",
        "0042",
        ACTOR,
        due="2000-01-01",
    )


def test_repair_from_custody_and_back(stocked):
    custody.stock_out(stocked, "LT-2", "0043", ACTOR)
    custody.change_status(stocked, "repair", "LT-2", ACTOR)
    a = get(stocked, "LT-2")
    assert (a.status, a.custodian, a.slot) == ("REPAIR", None, None)
    custody.stock_in(stocked, "LT-2", ACTOR)
    assert get(stocked, "LT-2").slot == SlotRef("A", 2)
    sound(stocked)


def test_retire_leaves_slot_and_home(stocked):
    custody.change_status(stocked, "retire", "LT-1", ACTOR)
    a = get(stocked, "LT-1")
    assert (a.status, a.slot, a.home) == ("RETIRED", None, None)
    refused(
        stocked,
        HardStop,
        "cannot stock in: LT-1 is RETIRED",
        custody.stock_in,
        stocked,
        "LT-1",
        ACTOR,
        slot=SlotRef("A", 1),
    )
    refused(stocked, HardStop, "LT-1 is RETIRED", slots.assign, stocked, "LT-1", "A", 1, ACTOR)
    sound(stocked)


def test_retire_refused_while_held(stocked):
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    refused(
        stocked,
        HardStop,
        r"cannot retire: LT-1 is out with Alice Ng",
        custody.change_status,
        stocked,
        "retire",
        "LT-1",
        ACTOR,
    )


def test_lost_and_found(stocked):
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    custody.change_status(stocked, "lost", "LT-1", ACTOR)
    a = get(stocked, "LT-1")
    assert (a.status, a.custodian, a.slot) == ("LOST", None, None)
    refused(
        stocked,
        HardStop,
        "cannot mark lost: LT-1 is LOST",
        custody.change_status,
        stocked,
        "lost",
        "LT-1",
        ACTOR,
    )
    custody.change_status(stocked, "found", "LT-1", ACTOR)
    assert get(stocked, "LT-1").status == "IN_STOCK"
    refused(
        stocked,
        HardStop,
        "cannot mark found: LT-1 is IN_STOCK",
        custody.change_status,
        stocked,
        "found",
        "LT-1",
        ACTOR,
    )
    sound(stocked)


def test_person_cannot_be_removed_while_holding(stocked):
    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    refused(
        stocked,
        HardStop,
        r"Alice Ng \(0042\) holds LT-1",
        assets.remove_person,
        stocked,
        "0042",
        ACTOR,
    )
    custody.stock_in(stocked, "LT-1", ACTOR)
    assets.remove_person(stocked, "0042", ACTOR)
    refused(stocked, NotFound, "unknown badge 0042", assets.remove_person, stocked, "0042", ACTOR)


def test_schema_refuses_removing_a_holder_directly(stocked):
    import sqlite3

    custody.stock_out(stocked, "LT-1", "0042", ACTOR)
    with pytest.raises(sqlite3.IntegrityError):
        stocked.conn.execute("DELETE FROM people WHERE badge='0042'")


def test_add_refusals(stocked):
    refused(stocked, HardStop, "asset LT-1 already exists in A:1", add, stocked, "LT-1")
    refused(stocked, HardStop, "^slot A:1 holds LT-1$", add, stocked, "LT-9", "A:1")
    refused(stocked, InvalidInput, "control characters", add, stocked, "LT\x1b[2J")
    refused(stocked, InvalidInput, "NUL", add, stocked, "LT-9", name="a\x00b")


def test_add_auto_takes_first_free_slot(stocked):
    plans.execute(stocked, "add", ACTOR, tag="LT-9", into="auto")
    assert get(stocked, "LT-9").slot == SlotRef("A", 3)


def test_preview_writes_nothing_and_commit_applies(stocked):
    before = stocked.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    plan = plans.preview(stocked, "stock_out", tag="LT-1", badge="0042")
    assert stocked.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
    plans.commit(stocked, plan, "kiosk")
    assert get(stocked, "LT-1").status == "IN_CUSTODY"


def test_commit_refuses_when_changed_since_preview(stocked):
    plan = plans.preview(stocked, "stock_in", tag="LT-4", slot=SlotRef("A", 3))
    add(stocked, "LT-5", "A:3")  # someone fills the slot from the CLI
    refused(
        stocked,
        ChangedSincePreview,
        r"changed since preview: slot A:3 holds LT-5",
        plans.commit,
        stocked,
        plan,
        "kiosk",
    )


def test_commit_refuses_when_plan_inputs_moved(stocked):
    plan = plans.preview(stocked, "stock_out", tag="LT-1", badge="0042")
    slots.move(stocked, "LT-1", "A", 4, ACTOR)
    err = refused(
        stocked, ChangedSincePreview, "changed since preview", plans.commit, stocked, plan, "kiosk"
    )
    assert "LT-1 slot was A:1, now A:4" in str(err)


def test_planners_register_themselves_whatever_was_imported(stocked, db_path):
    """A process that imported only kiosk.plans still finds every operation."""
    import subprocess
    import sys

    code = (
        "import sys; from kiosk import plans; from kiosk.db import Database; "
        "db = Database(sys.argv[1]); "
        "print(plans.preview(db, 'stock_out', tag='LT-1', badge='0042').summary)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "LT-1 -> Alice Ng"
