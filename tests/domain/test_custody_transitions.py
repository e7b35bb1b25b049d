"""Custody's transitions, each one from each status, and what each records.

``test_custody.py`` walks the common paths; this file holds the whole table
of the module's docstring against a real file: every status change from
every status (allowed or refused with the words and the code), and the
asset row, the event and the plan's summary each transition leaves.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kiosk.domain.custody import STATUS_CHANGES, StockIn, StockOut, due_in
from kiosk.domain.operations import execute, preview
from kiosk.domain.placement import Assign, Vacate
from kiosk.domain.types import STATUSES, SlotRef
from kiosk.errors import HardStop, InvalidInput
from tests.conftest import ACTOR
from tests.domain.helpers import a_fixed_value, asset, last_event, refused, sound

#: Status change -> (the statuses it starts from, its words in a refusal, the status it gives).
TABLE = {
    "repair": (("IN_STOCK", "IN_CUSTODY"), "send to repair", "REPAIR"),
    "retire": (("IN_STOCK", "REPAIR", "LOST"), "retire", "RETIRED"),
    "lost": (("IN_STOCK", "IN_CUSTODY", "REPAIR"), "mark lost", "LOST"),
    "found": (("LOST",), "mark found", "IN_STOCK"),
}
LATER = "2999-01-01"
A3 = SlotRef("A", 3)


def put_in(db, tag, status):
    """Bring ``tag`` (in stock in its home slot) to ``status`` by operations."""
    if status == "IN_CUSTODY":
        execute(db, StockOut(tag, "0042", due=LATER), actor=ACTOR)
    elif status != "IN_STOCK":
        execute(
            db,
            STATUS_CHANGES[{"REPAIR": "repair", "RETIRED": "retire", "LOST": "lost"}[status]](tag),
            actor=ACTOR,
        )


def test_the_status_changes_by_name():
    assert sorted(STATUS_CHANGES) == sorted(TABLE)
    for name, cls in STATUS_CHANGES.items():
        assert cls.op == name


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_status_change_from_each_status(stocked, name, status):
    allowed, doing, to_status = TABLE[name]
    put_in(stocked, "LT-1", status)
    was = asset(stocked, "LT-1")
    if status not in allowed:
        if status == "IN_CUSTODY":
            why = r"LT-1 is out with Alice Ng \(0042\)"
        else:
            why = f"LT-1 is {status}"
        err = refused(
            stocked,
            HardStop,
            rf"^cannot {doing}: {why}$",
            lambda: execute(stocked, STATUS_CHANGES[name]("LT-1"), actor=ACTOR),
        )
        assert err.code == "wrong_state"
        return
    plan = execute(stocked, STATUS_CHANGES[name]("LT-1"), actor=ACTOR)
    assert plan.summary == f"LT-1: {status} -> {to_status}"
    now = asset(stocked, "LT-1")
    home = None if to_status == "RETIRED" else SlotRef("A", 1)
    assert (now.status, now.slot, now.home, now.custodian, now.due) == (
        to_status,
        None,
        home,
        None,
        None,
    )
    details = {"due": None}
    if to_status == "RETIRED":
        details |= {"home_case": None, "home_pos": None}
    assert last_event(stocked) == (
        name,
        "LT-1",
        None if was.slot is None else str(was.slot),
        None,
        was.custodian,
        details,
    )
    sound(stocked)


def test_stock_out_records_who_until_when_and_where_from(stocked):
    plan = execute(stocked, StockOut("LT-2", " 0043 ", due=LATER), actor=ACTOR)
    assert plan.summary == "LT-2 -> Bob Okafor"
    a = asset(stocked, "LT-2")
    assert (a.status, a.slot, a.home, a.custodian, a.custodian_name, a.due) == (
        "IN_CUSTODY",
        None,
        SlotRef("A", 2),
        "0043",
        "Bob Okafor",
        LATER,
    )
    assert last_event(stocked) == ("stock_out", "LT-2", "A:2", None, "0043", {"due": LATER})
    sound(stocked)


def test_stock_out_without_a_due_date_has_none(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    assert asset(stocked, "LT-1").due is None
    assert last_event(stocked)[-1] == {"due": None}


def test_stock_out_due_today_is_allowed(stocked):
    today = dt.date.today()
    try:
        execute(stocked, StockOut("LT-1", "0042", due=today.isoformat()), actor=ACTOR)
    except InvalidInput:
        # Only if the date turned over between reading it here and the check.
        assert dt.date.today() > today
    else:
        assert asset(stocked, "LT-1").due == today.isoformat()


def test_stock_out_of_an_unslotted_asset_without_home_gives_it_none(stocked):
    execute(stocked, StockOut("LT-4", "0042"), actor=ACTOR)
    a = asset(stocked, "LT-4")
    assert (a.status, a.slot, a.home) == ("IN_CUSTODY", None, None)
    assert last_event(stocked) == ("stock_out", "LT-4", None, None, "0042", {"due": None})
    sound(stocked)


def test_stock_out_away_from_home_keeps_the_home(stocked):
    execute(stocked, Vacate(tag="LT-1"), actor=ACTOR)
    execute(stocked, Assign("LT-1", SlotRef("A", 4)), actor=ACTOR)  # lives at A:1, sits in A:4
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    assert asset(stocked, "LT-1").home == SlotRef("A", 1)
    assert last_event(stocked) == ("stock_out", "LT-1", "A:4", None, "0042", {"due": None})
    sound(stocked)


def test_stock_out_from_a_slot_without_home_makes_it_home(stocked):
    stocked.conn.execute("UPDATE assets SET home_case=NULL, home_pos=NULL WHERE tag='LT-2'")
    execute(stocked, StockOut("LT-2", "0042"), actor=ACTOR)
    assert asset(stocked, "LT-2").home == SlotRef("A", 2)
    assert last_event(stocked)[-1] == {"due": None, "home_case": "A", "home_pos": 2}


def test_stock_in_clears_the_loan_and_records_who_returned_it(stocked):
    execute(stocked, StockOut("LT-1", "0042", due=LATER), actor=ACTOR)
    plan = execute(stocked, StockIn("LT-1"), actor=ACTOR)
    assert plan.summary == "LT-1 <- Alice Ng, into A:1"
    a = asset(stocked, "LT-1")
    assert (a.status, a.slot, a.home, a.custodian, a.due) == (
        "IN_STOCK",
        SlotRef("A", 1),
        SlotRef("A", 1),
        None,
        None,
    )
    assert last_event(stocked) == ("stock_in", "LT-1", None, "A:1", "0042", {"due": None})
    sound(stocked)


def test_stock_in_to_another_slot_keeps_the_home(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    execute(stocked, StockIn("LT-1", slot=SlotRef("B", 2)), actor=ACTOR)
    a = asset(stocked, "LT-1")
    assert (a.slot, a.home) == (SlotRef("B", 2), SlotRef("A", 1))
    assert last_event(stocked) == ("stock_in", "LT-1", None, "B:2", "0042", {"due": None})
    sound(stocked)


def test_stock_in_without_a_home_makes_the_named_slot_home(stocked):
    execute(stocked, StockIn("LT-4", slot=SlotRef("A", 3)), actor=ACTOR)
    assert last_event(stocked) == (
        "stock_in",
        "LT-4",
        None,
        "A:3",
        None,
        {"due": None, "home_case": "A", "home_pos": 3},
    )


def test_stock_in_back_from_repair_or_found_names_where_it_was(stocked):
    execute(stocked, STATUS_CHANGES["repair"]("LT-2"), actor=ACTOR)
    plan = execute(stocked, StockIn("LT-2"), actor=ACTOR)
    assert plan.summary == "LT-2 <- REPAIR, into A:2"
    execute(stocked, STATUS_CHANGES["lost"]("LT-2"), actor=ACTOR)
    plan = execute(stocked, StockIn("LT-2"), actor=ACTOR)
    assert plan.summary == "LT-2 <- LOST, into A:2"
    assert asset(stocked, "LT-2").status == "IN_STOCK"
    sound(stocked)


@pytest.mark.parametrize(
    "before, request_, error, message, code",
    [
        (
            (),
            StockIn("LT-1", slot=A3),
            HardStop,
            "cannot stock in: LT-1 is IN_STOCK in A:1",
            "wrong_state",
        ),
        (
            (STATUS_CHANGES["retire"]("LT-1"),),
            StockIn("LT-1", slot=A3),
            HardStop,
            "cannot stock in: LT-1 is RETIRED",
            "wrong_state",
        ),
        ((), StockIn("LT-4"), HardStop, "LT-4 has no home slot; name a slot", "no_home"),
        (
            (StockOut("LT-1", "0042"),),
            StockIn("LT-1", slot=SlotRef("A", 2)),
            HardStop,
            "slot A:2 holds LT-2",
            "slot_occupied",
        ),
        (
            (),
            StockOut("LT-1", "0042", due=" 2000-01-01 "),
            InvalidInput,
            "due date 2000-01-01 is in the past",
            "invalid_input",
        ),
    ],
    ids=["slotted", "retired", "no_home", "taken", "past_due"],
)
def test_a_refused_stock_in_or_out_says_why_with_its_code(
    stocked, before, request_, error, message, code
):
    for earlier in before:
        execute(stocked, earlier, actor=ACTOR)
    err = refused(stocked, error, f"^{re.escape(message)}$", lambda: preview(stocked, request_))
    assert err.code == code


def test_a_due_date_some_days_from_today():
    for days in (0, 7):
        before = dt.date.today()
        due = due_in(days)
        after = dt.date.today()
        assert due in {(d + dt.timedelta(days=days)).isoformat() for d in (before, after)}


def test_a_due_date_in_the_past_is_refused():
    with pytest.raises(InvalidInput, match=r"^--days must be 0 or more$"):
        due_in(-1)


@pytest.mark.parametrize(
    "request_",
    [StockOut("LT-1", "0042"), StockIn("LT-1"), STATUS_CHANGES["repair"]("LT-1")],
    ids=["stock_out", "stock_in", "repair"],
)
def test_a_previewed_request_is_a_value_that_cannot_change(request_):
    a_fixed_value(request_)
