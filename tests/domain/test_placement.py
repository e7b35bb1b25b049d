"""Placing in-stock assets: assign, move, vacate, each refusal and what each records.

``test_slots.py`` proves the slot rules hold; this file proves each placement
request's own words and machine codes, where an asset's home goes, the
event it appends and the summary the kiosk's screen shows.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from kiosk.domain import assets
from kiosk.domain.custody import STATUS_CHANGES, StockOut
from kiosk.domain.operations import execute, preview
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop
from tests.conftest import ACTOR
from tests.domain.helpers import refused, sound

A1, A2, A3, A4, B1, B2 = (
    SlotRef("A", 1),
    SlotRef("A", 2),
    SlotRef("A", 3),
    SlotRef("A", 4),
    SlotRef("B", 1),
    SlotRef("B", 2),
)


def get(db, tag):
    with db.read() as conn:
        return assets.get(conn, tag)


def last_event(db):
    with db.read() as conn:
        *head, details = conn.execute(
            "SELECT op, asset, from_slot, to_slot, person, details FROM events "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return (*head, json.loads(details))


def away_from_home(db):
    """LT-1 lives at A:1 but sits in A:4."""
    execute(db, Vacate(tag="LT-1"), actor=ACTOR)
    execute(db, Assign("LT-1", A4), actor=ACTOR)


@pytest.mark.parametrize(
    "request_",
    [Assign("LT-1", A3), Move("LT-1", A3)],
    ids=["assign", "move"],
)
def test_placing_an_asset_on_loan_says_to_stock_it_in(stocked, request_):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    err = refused(
        stocked,
        HardStop,
        r"^LT-1 is out with Alice Ng \(0042\); use stock-in$",
        lambda: execute(stocked, request_, actor=ACTOR),
    )
    assert err.code == "wrong_state"


@pytest.mark.parametrize("change", ["repair", "lost"])
@pytest.mark.parametrize(
    "request_",
    [Assign("LT-1", A3), Move("LT-1", A3)],
    ids=["assign", "move"],
)
def test_placing_an_asset_out_of_stock_names_its_status(stocked, change, request_):
    execute(stocked, STATUS_CHANGES[change]("LT-1"), actor=ACTOR)
    status = get(stocked, "LT-1").status
    err = refused(
        stocked,
        HardStop,
        rf"^LT-1 is {status}$",
        lambda: execute(stocked, request_, actor=ACTOR),
    )
    assert err.code == "wrong_state"


# -- assign -------------------------------------------------------------------


def test_assign_gives_a_homeless_asset_its_slot_as_home(stocked):
    plan = execute(stocked, Assign("LT-4", A3), actor=ACTOR)
    assert plan.summary == "LT-4 -> A:3"
    a = get(stocked, "LT-4")
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
    a = get(stocked, "LT-2")
    assert (a.slot, a.home) == (B2, A2)
    assert last_event(stocked) == ("assign", "LT-2", None, "B:2", None, {})
    sound(stocked)


def test_assign_refuses_a_slotted_asset_naming_where_it_is(stocked):
    err = refused(
        stocked,
        HardStop,
        r"^LT-3 is already in B:1$",
        lambda: execute(stocked, Assign("LT-3", A3), actor=ACTOR),
    )
    assert err.code == "already_slotted"


def test_assign_refuses_a_taken_slot_with_its_code(stocked):
    err = refused(
        stocked,
        HardStop,
        r"^slot B:1 holds LT-3$",
        lambda: execute(stocked, Assign("LT-4", B1), actor=ACTOR),
    )
    assert err.code == "slot_occupied"


# -- move ---------------------------------------------------------------------


def test_a_move_from_home_takes_the_home_along(stocked):
    plan = execute(stocked, Move("LT-3", B2), actor=ACTOR)
    assert plan.summary == "LT-3: B:1 -> B:2"
    a = get(stocked, "LT-3")
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
    a = get(stocked, "LT-1")
    assert (a.slot, a.home) == (A3, A1)
    assert last_event(stocked) == ("move", "LT-1", "A:4", "A:3", None, {})
    sound(stocked)


def test_a_move_of_a_homeless_asset_gives_it_the_new_slot_as_home(stocked):
    stocked.conn.execute("UPDATE assets SET home_case=NULL, home_pos=NULL WHERE tag='LT-2'")
    execute(stocked, Move("LT-2", A3), actor=ACTOR)
    assert get(stocked, "LT-2").home == A3
    assert last_event(stocked)[-1] == {"home_case": "A", "home_pos": 3}


def test_a_move_refuses_an_unslotted_asset_pointing_to_assign(stocked):
    err = refused(
        stocked,
        HardStop,
        r"^LT-4 is not in a slot; use slot assign$",
        lambda: execute(stocked, Move("LT-4", A3), actor=ACTOR),
    )
    assert err.code == "not_slotted"


def test_a_move_to_where_it_already_is_is_refused(stocked):
    err = refused(
        stocked,
        HardStop,
        r"^LT-1 is already in A:1$",
        lambda: execute(stocked, Move("LT-1", A1), actor=ACTOR),
    )
    assert err.code == "already_slotted"


def test_a_move_to_a_taken_slot_names_its_occupant(stocked):
    err = refused(
        stocked,
        HardStop,
        r"^slot A:2 holds LT-2$",
        lambda: execute(stocked, Move("LT-1", A2), actor=ACTOR),
    )
    assert err.code == "slot_occupied"


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
    assert get(stocked, "LT-1").slot == B1
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
    assert get(stocked, "LT-2").slot == B1
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
    # The plan on the screen carries its request; commit plans that request again.
    assert hash(request_) == hash(dataclasses.replace(request_))
    with pytest.raises(dataclasses.FrozenInstanceError):
        request_.tag = "LT-2"  # type: ignore[misc]


# -- vacate -------------------------------------------------------------------


def test_vacate_by_slot_leaves_the_asset_in_stock_with_its_home(stocked):
    plan = execute(stocked, Vacate(slot=B1), actor=ACTOR)
    assert plan.summary == "LT-3 out of B:1"
    a = get(stocked, "LT-3")
    assert (a.status, a.slot, a.home) == ("IN_STOCK", None, B1)
    assert last_event(stocked) == ("vacate", "LT-3", "B:1", None, None, {})
    sound(stocked)


def test_vacate_by_tag(stocked):
    plan = execute(stocked, Vacate(tag=" LT-2 "), actor=ACTOR)
    assert plan.summary == "LT-2 out of A:2"
    assert get(stocked, "LT-2").slot is None
    assert last_event(stocked)[:4] == ("vacate", "LT-2", "A:2", None)


def test_vacate_names_a_slot_or_a_tag_never_both_nor_neither():
    for kwargs in ({}, {"slot": A1, "tag": "LT-1"}):
        with pytest.raises(ValueError, match=r"^vacate needs a slot or a tag, not both$"):
            Vacate(**kwargs)


def test_vacate_refuses_an_empty_slot_and_an_unslotted_asset(stocked):
    err = refused(
        stocked, HardStop, r"^slot A:3 is empty$", lambda: preview(stocked, Vacate(slot=A3))
    )
    assert err.code == "slot_empty"
    err = refused(
        stocked,
        HardStop,
        r"^LT-4 is not in a slot$",
        lambda: preview(stocked, Vacate(tag="LT-4")),
    )
    assert err.code == "not_slotted"
