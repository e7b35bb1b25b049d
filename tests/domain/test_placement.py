"""Placing in-stock assets: assign, move, vacate, each refusal and what each records.

``test_slots.py`` proves the slot rules hold; this file proves each placement
request's own words and machine codes, where an asset's home goes, the
event it appends and the summary the kiosk's screen shows.
"""

from __future__ import annotations

import re

import pytest

from kiosk.domain.custody import STATUS_CHANGES, StockOut
from kiosk.domain.operations import execute, preview
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop
from tests.conftest import ACTOR
from tests.domain.helpers import a_fixed_value, asset, last_event, refused, sound

A1, A2, A3, A4, B1, B2 = (
    SlotRef("A", 1),
    SlotRef("A", 2),
    SlotRef("A", 3),
    SlotRef("A", 4),
    SlotRef("B", 1),
    SlotRef("B", 2),
)


def away_from_home(db):
    """LT-1 lives at A:1 but sits in A:4."""
    execute(db, Vacate(tag="LT-1"), actor=ACTOR)
    execute(db, Assign("LT-1", A4), actor=ACTOR)


@pytest.mark.parametrize(
    "before, message",
    [
        (StockOut("LT-1", "0042"), "LT-1 is out with Alice Ng (0042); use stock-in"),
        (STATUS_CHANGES["repair"]("LT-1"), "LT-1 is REPAIR"),
        (STATUS_CHANGES["lost"]("LT-1"), "LT-1 is LOST"),
    ],
    ids=["on_loan", "repair", "lost"],
)
@pytest.mark.parametrize("request_", [Assign("LT-1", A3), Move("LT-1", A3)], ids=["assign", "move"])
def test_only_an_asset_in_stock_is_placed(stocked, before, message, request_):
    execute(stocked, before, actor=ACTOR)
    err = refused(stocked, HardStop, f"^{re.escape(message)}$", lambda: preview(stocked, request_))
    assert err.code == "wrong_state"


@pytest.mark.parametrize(
    "request_, message, code",
    [
        (Assign("LT-3", A3), "LT-3 is already in B:1", "already_slotted"),
        (Assign("LT-4", B1), "slot B:1 holds LT-3", "slot_occupied"),
        (Move("LT-4", A3), "LT-4 is not in a slot; use slot assign", "not_slotted"),
        (Move("LT-1", A1), "LT-1 is already in A:1", "already_slotted"),
        (Move("LT-1", A2), "slot A:2 holds LT-2", "slot_occupied"),
        (Vacate(slot=A3), "slot A:3 is empty", "slot_empty"),
        (Vacate(tag="LT-4"), "LT-4 is not in a slot", "not_slotted"),
    ],
    ids=lambda value: str(value) if isinstance(value, str) else None,
)
def test_a_refused_placement_says_what_blocks_it_with_its_code(stocked, request_, message, code):
    err = refused(stocked, HardStop, f"^{re.escape(message)}$", lambda: preview(stocked, request_))
    assert err.code == code


# -- assign -------------------------------------------------------------------


def test_assign_gives_a_homeless_asset_its_slot_as_home(stocked):
    plan = execute(stocked, Assign("LT-4", A3), actor=ACTOR)
    assert plan.summary == "LT-4 -> A:3"
    a = asset(stocked, "LT-4")
    assert (a.status, a.slot, a.home) == ("IN_STOCK", A3, A3)
    assert last_event(stocked) == (
        "assign",
        "LT-4",
        None,
        "A:3",
        None,
        {"home_case": "A", "home_pos": 3},
    )
    sound(stocked)


def test_assign_elsewhere_keeps_the_home(stocked):
    execute(stocked, Vacate(tag="LT-2"), actor=ACTOR)
    execute(stocked, Assign("LT-2", B2), actor=ACTOR)
    a = asset(stocked, "LT-2")
    assert (a.slot, a.home) == (B2, A2)
    assert last_event(stocked) == ("assign", "LT-2", None, "B:2", None, {})
    sound(stocked)


# -- move ---------------------------------------------------------------------


def test_a_move_from_home_takes_the_home_along(stocked):
    plan = execute(stocked, Move("LT-3", B2), actor=ACTOR)
    assert plan.summary == "LT-3: B:1 -> B:2"
    a = asset(stocked, "LT-3")
    assert (a.slot, a.home) == (B2, B2)
    assert last_event(stocked) == (
        "move",
        "LT-3",
        "B:1",
        "B:2",
        None,
        {"home_case": "B", "home_pos": 2},
    )
    sound(stocked)


def test_a_move_away_from_home_keeps_the_home(stocked):
    away_from_home(stocked)
    execute(stocked, Move("LT-1", A3), actor=ACTOR)
    a = asset(stocked, "LT-1")
    assert (a.slot, a.home) == (A3, A1)
    assert last_event(stocked) == ("move", "LT-1", "A:4", "A:3", None, {})
    sound(stocked)


def test_a_move_of_a_homeless_asset_gives_it_the_new_slot_as_home(stocked):
    stocked.conn.execute("UPDATE assets SET home_case=NULL, home_pos=NULL WHERE tag='LT-2'")
    execute(stocked, Move("LT-2", A3), actor=ACTOR)
    assert asset(stocked, "LT-2").home == A3
    assert last_event(stocked)[-1] == {"home_case": "A", "home_pos": 3}


def test_a_move_into_the_home_of_a_laptop_on_loan_names_the_loan(stocked):
    execute(stocked, StockOut("LT-3", "0043"), actor=ACTOR)  # B:1 kept for its return
    err = refused(
        stocked,
        HardStop,
        r"^slot B:1 is the home of LT-3, out with Bob Okafor \(0043\); its return needs it: "
        r"choose another slot, or --force$",
        lambda: execute(stocked, Move("LT-1", B1), actor=ACTOR),
    )
    assert err.code == "slot_is_home"


def test_a_forced_move_into_the_home_of_a_loan_records_what_it_overrode(stocked):
    execute(stocked, StockOut("LT-3", "0043"), actor=ACTOR)
    away_from_home(stocked)
    execute(stocked, Move("LT-1", B1, force=True), actor=ACTOR)
    assert asset(stocked, "LT-1").slot == B1
    assert last_event(stocked) == (
        "move",
        "LT-1",
        "A:4",
        "B:1",
        None,
        {"forced": "home of LT-3, out with Bob Okafor (0043)"},
    )
    sound(stocked)


def test_a_move_into_the_empty_home_of_an_asset_in_stock_is_not_a_loan(stocked):
    execute(stocked, Vacate(tag="LT-3"), actor=ACTOR)  # B:1 empty, home of LT-3, in stock
    execute(stocked, Move("LT-2", B1), actor=ACTOR)
    assert asset(stocked, "LT-2").slot == B1
    assert "forced" not in last_event(stocked)[-1]


def test_a_move_is_not_forced_unless_asked():
    # The kiosk's plan and the CLI's plain request are the same request.
    assert Move("LT-1", A1) == Move("LT-1", A1, force=False)
    assert Move("LT-1", A1) != Move("LT-1", A1, force=True)
    assert Move("LT-1", A1).force is False


@pytest.mark.parametrize(
    "request_",
    [Assign("LT-1", A1), Move("LT-1", A1), Vacate(tag="LT-1")],
    ids=["assign", "move", "vacate"],
)
def test_a_previewed_request_is_a_value_that_cannot_change(request_):
    a_fixed_value(request_)


# -- vacate -------------------------------------------------------------------


def test_vacate_by_slot_leaves_the_asset_in_stock_with_its_home(stocked):
    plan = execute(stocked, Vacate(slot=B1), actor=ACTOR)
    assert plan.summary == "LT-3 out of B:1"
    a = asset(stocked, "LT-3")
    assert (a.status, a.slot, a.home) == ("IN_STOCK", None, B1)
    assert last_event(stocked) == ("vacate", "LT-3", "B:1", None, None, {})
    sound(stocked)


def test_vacate_by_tag(stocked):
    plan = execute(stocked, Vacate(tag=" LT-2 "), actor=ACTOR)
    assert plan.summary == "LT-2 out of A:2"
    assert asset(stocked, "LT-2").slot is None
    assert last_event(stocked)[:4] == ("vacate", "LT-2", "A:2", None)


def test_vacate_names_a_slot_or_a_tag_never_both_nor_neither():
    for kwargs in ({}, {"slot": A1, "tag": "LT-1"}):
        with pytest.raises(ValueError, match=r"^vacate needs a slot or a tag, not both$"):
            Vacate(**kwargs)
