"""intake on its own: registering an asset (optionally straight into a slot) and describing it.

Each test runs the request through the real operations against a SQLite
file and reads back what a person or a script sees: the row, the slot, the
event, the plan's summary, or the refusal's words.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from kiosk.domain import assets
from kiosk.domain.custody import StockOut
from kiosk.domain.intake import AUTO, AddAsset, UpdateAsset
from kiosk.domain.operations import AssetState, execute, preview
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, InvalidInput, NotFound
from tests.conftest import ACTOR, add
from tests.domain.helpers import refused, sound


def get(db, tag):
    with db.read() as conn:
        return assets.get(conn, tag)


def refuses(db, error, match, request):
    """``request`` is refused with ``error`` and writes nothing."""
    return refused(db, error, match, execute, db, request, actor=ACTOR)


def last_event(db):
    with db.read() as conn:
        op, asset, from_slot, to_slot, person, details = conn.execute(
            "SELECT op, asset, from_slot, to_slot, person, details FROM events "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return op, asset, from_slot, to_slot, person, json.loads(details)


# -- AddAsset -------------------------------------------------------------------


def test_adding_without_a_slot_registers_a_bare_in_stock_asset(stocked):
    plan = execute(stocked, AddAsset(tag=" LT-9 "), actor=ACTOR)
    assert (plan.op, plan.subject, plan.to_slot, plan.summary) == ("add", "LT-9", None, "add LT-9")
    found = get(stocked, "LT-9")
    assert (found.status, found.slot, found.home, found.snipeit_id) == (
        "IN_STOCK",
        None,
        None,
        None,
    )
    assert (found.name, found.model, found.serial, found.notes) == ("", "", "", "")
    assert last_event(stocked) == (
        "add",
        "LT-9",
        None,
        None,
        None,
        {"name": "", "model": "", "serial": "", "notes": "", "home_case": None, "home_pos": None},
    )
    sound(stocked)


def test_adding_into_a_slot_makes_that_slot_its_home(stocked):
    plan = execute(stocked, AddAsset(tag="LT-9", into=SlotRef("A", 4)), actor=ACTOR)
    assert (plan.to_slot, plan.summary) == (SlotRef("A", 4), "add LT-9 into A:4")
    found = get(stocked, "LT-9")
    assert (found.slot, found.home) == (SlotRef("A", 4), SlotRef("A", 4))
    assert last_event(stocked)[:4] == ("add", "LT-9", None, "A:4")
    assert last_event(stocked)[5]["home_case"] == "A"
    assert last_event(stocked)[5]["home_pos"] == 4
    sound(stocked)


def test_a_named_home_wins_over_the_slot_it_goes_into(stocked):
    execute(stocked, AddAsset(tag="LT-9", into=SlotRef("A", 4), home=SlotRef("B", 2)), actor=ACTOR)
    found = get(stocked, "LT-9")
    assert (found.slot, found.home) == (SlotRef("A", 4), SlotRef("B", 2))
    execute(stocked, AddAsset(tag="LT-10", home=SlotRef("A", 3)), actor=ACTOR)
    found = get(stocked, "LT-10")
    assert (found.slot, found.home) == (None, SlotRef("A", 3))
    sound(stocked)


def test_auto_takes_the_first_free_slot_the_kiosk_proposes(stocked):
    plan = preview(stocked, AddAsset(tag="LT-9", into=AUTO))
    assert (plan.to_slot, plan.summary) == (SlotRef("A", 3), "add LT-9 into A:3")
    execute(stocked, AddAsset(tag="LT-9", into="auto"), actor=ACTOR)
    execute(stocked, AddAsset(tag="LT-10", into="auto"), actor=ACTOR)
    assert (get(stocked, "LT-9").slot, get(stocked, "LT-10").slot) == (
        SlotRef("A", 3),
        SlotRef("A", 4),
    )
    assert get(stocked, "LT-10").home == SlotRef("A", 4)


def test_auto_is_refused_when_no_slot_is_free(stocked):
    for tag in ("LT-5", "LT-6", "LT-7"):
        execute(stocked, AddAsset(tag=tag, into=AUTO), actor=ACTOR)
    err = refuses(stocked, HardStop, "^no free slot$", AddAsset(tag="LT-8", into=AUTO))
    assert err.code == "no_free_slot"


def test_every_described_field_is_stored_and_logged(stocked):
    notes = "n" * 4000  # notes may be far longer than a name
    execute(
        stocked,
        AddAsset(tag="LT-9", name=" Latitude ", model="7440", serial="SN-1", notes=notes),
        actor=ACTOR,
    )
    found = get(stocked, "LT-9")
    assert (found.name, found.model, found.serial, found.notes) == (
        "Latitude",
        "7440",
        "SN-1",
        notes,
    )
    details = last_event(stocked)[5]
    assert (details["name"], details["model"], details["serial"]) == ("Latitude", "7440", "SN-1")
    assert details["notes"] == notes
    assert "status" not in details


@pytest.mark.parametrize("field", ["name", "model", "serial"])
def test_a_described_field_is_bounded_like_a_name(stocked, field):
    execute(stocked, AddAsset(tag="LT-9", **{field: "x" * 200}), actor=ACTOR)
    refuses(
        stocked,
        InvalidInput,
        f"^{field} is longer than 200 characters$",
        AddAsset(tag="LT-10", **{field: "x" * 201}),
    )


def test_notes_are_bounded_at_their_own_limit(stocked):
    refuses(
        stocked,
        InvalidInput,
        "^notes is longer than 4000 characters$",
        AddAsset(tag="LT-9", notes="x" * 4001),
    )


def test_an_existing_tag_is_refused_naming_where_it_is(stocked):
    err = refuses(stocked, HardStop, "^asset LT-1 already exists in A:1$", AddAsset(tag="LT-1"))
    assert err.code == "already_exists"
    refuses(
        stocked,
        HardStop,
        r"^asset LT-4 already exists \(IN_STOCK\)$",
        AddAsset(tag="LT-4", into=SlotRef("A", 3)),
    )
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    refuses(stocked, HardStop, r"^asset LT-1 already exists \(IN_CUSTODY\)$", AddAsset(tag="LT-1"))


def test_a_taken_or_unknown_slot_is_refused(stocked):
    err = refuses(
        stocked, HardStop, "^slot A:1 holds LT-1$", AddAsset(tag="LT-9", into=SlotRef("A", 1))
    )
    assert err.code == "slot_occupied"
    refuses(
        stocked,
        NotFound,
        "^no slot A:9: case A has slots 1..4$",
        AddAsset(tag="LT-9", into=SlotRef("A", 9)),
    )


def test_an_unknown_home_is_refused(stocked):
    refuses(stocked, NotFound, "^unknown case Z$", AddAsset(tag="LT-9", home=SlotRef("Z", 1)))
    refuses(
        stocked,
        NotFound,
        "^no slot B:3: case B has slots 1..2$",
        AddAsset(tag="LT-9", into=SlotRef("A", 3), home=SlotRef("B", 3)),
    )


def test_a_bad_tag_is_refused_before_anything_is_read(stocked):
    refuses(stocked, InvalidInput, "^asset tag is empty$", AddAsset(tag="  "))


def test_an_asset_from_snipeit_keeps_its_id_and_its_status_label_in_the_event(stocked):
    plan = execute(
        stocked,
        AddAsset(tag="LT-9", into=SlotRef("A", 3), snipeit_id=1, snipeit_status="Ready to Deploy"),
        actor=ACTOR,
    )
    assert get(stocked, "LT-9").snipeit_id == 1
    details = last_event(stocked)[5]
    assert (details["snipeit_id"], details["snipeit_status"]) == (1, "Ready to Deploy")
    assert plan.summary == "add LT-9 into A:3"
    sound(stocked)


def test_a_snipeit_id_belongs_to_one_asset(stocked):
    add(stocked, "LT-8", snipeit_id=8)
    refuses(
        stocked,
        HardStop,
        "^Snipe-IT id 8 already belongs to LT-8$",
        AddAsset(tag="LT-9", snipeit_id=8),
    )


@pytest.mark.parametrize(("bad", "shown"), [(0, "0"), (-1, "-1"), (True, "True"), ("7", "'7'")])
def test_a_snipeit_id_must_be_a_whole_number_from_one(stocked, bad, shown):
    message = f"^Snipe-IT id must be a whole number from 1, got {shown}$"
    refuses(stocked, InvalidInput, message, AddAsset(tag="LT-9", snipeit_id=bad))
    refuses(stocked, InvalidInput, message, UpdateAsset(tag="LT-1", snipeit_id=bad))


# -- UpdateAsset ----------------------------------------------------------------


def test_update_changes_only_the_fields_given(stocked):
    add(stocked, "LT-9", "A:3", name="Old", model="M1", serial="S1", notes="fine")
    plan = execute(stocked, UpdateAsset(tag="LT-9", model="M2", notes="dent"), actor=ACTOR)
    assert plan.summary == "LT-9: model, notes"
    found = get(stocked, "LT-9")
    assert (found.name, found.model, found.serial, found.notes) == ("Old", "M2", "S1", "dent")
    assert (found.slot, found.home, found.status) == (SlotRef("A", 3), SlotRef("A", 3), "IN_STOCK")
    assert last_event(stocked) == (
        "update",
        "LT-9",
        None,
        None,
        None,
        {"model": "M2", "notes": "dent"},
    )
    sound(stocked)


def test_update_leaves_every_field_not_given_as_it_was(stocked):
    add(stocked, "LT-9", name="Old", model="M1", serial="S1", notes="fine")
    plan = execute(stocked, UpdateAsset(tag="LT-9", name="New"), actor=ACTOR)
    assert plan.changes == (("name", "New"),)
    found = get(stocked, "LT-9")
    assert (found.name, found.model, found.serial, found.notes) == ("New", "M1", "S1", "fine")


def test_update_of_a_later_field_alone(stocked):
    plan = execute(stocked, UpdateAsset(tag="LT-2", serial=" SN-2 "), actor=ACTOR)
    assert (plan.summary, get(stocked, "LT-2").serial) == ("LT-2: serial", "SN-2")


def test_update_can_clear_a_field(stocked):
    add(stocked, "LT-9", name="Old")
    execute(stocked, UpdateAsset(tag="LT-9", name=""), actor=ACTOR)
    assert get(stocked, "LT-9").name == ""


def test_update_names_only_what_differs(stocked):
    add(stocked, "LT-9", name="Same", model="M1")
    plan = execute(stocked, UpdateAsset(tag="LT-9", name="Same", model="M2"), actor=ACTOR)
    assert plan.changes == (("model", "M2"),)
    assert plan.summary == "LT-9: model"


def test_update_with_nothing_new_is_refused(stocked):
    add(stocked, "LT-9", name="Same", snipeit_id=9)
    for request in (
        UpdateAsset(tag="LT-9"),
        UpdateAsset(tag="LT-9", name=" Same "),
        UpdateAsset(tag="LT-9", snipeit_id=9),
    ):
        err = refuses(stocked, HardStop, "^LT-9: nothing to change$", request)
        assert err.code == "unchanged"


def test_update_plan_relies_on_the_asset_as_it_was(stocked):
    plan = preview(stocked, UpdateAsset(tag=" LT-1 ", name="Lab laptop"))
    assert (plan.tag, plan.to_slot, plan.from_slot) == ("LT-1", None, None)
    assert plan.before == AssetState(
        "LT-1", "IN_STOCK", SlotRef("A", 1), SlotRef("A", 1), None, None
    )


def test_update_bounds_notes_and_names_at_their_own_limits(stocked):
    execute(stocked, UpdateAsset(tag="LT-1", notes="x" * 4000), actor=ACTOR)
    assert len(get(stocked, "LT-1").notes) == 4000
    refuses(
        stocked,
        InvalidInput,
        "^notes is longer than 4000 characters$",
        UpdateAsset(tag="LT-1", notes="x" * 4001),
    )
    refuses(
        stocked,
        InvalidInput,
        "^name is longer than 200 characters$",
        UpdateAsset(tag="LT-1", name="x" * 201),
    )
    refuses(
        stocked,
        InvalidInput,
        "^model holds a NUL character$",
        UpdateAsset(tag="LT-1", model="a\x00"),
    )


def test_update_of_an_unknown_asset_is_not_found(stocked):
    refuses(stocked, NotFound, "^unknown asset LT-99$", UpdateAsset(tag="LT-99", name="x"))


def test_update_gives_or_changes_a_snipeit_id(stocked):
    plan = execute(stocked, UpdateAsset(tag="LT-1", snipeit_id=1), actor=ACTOR)
    assert (plan.changes, plan.summary) == ((("snipeit_id", 1),), "LT-1: snipeit_id")
    assert get(stocked, "LT-1").snipeit_id == 1
    execute(stocked, UpdateAsset(tag="LT-1", name="Lab", snipeit_id=2), actor=ACTOR)
    assert get(stocked, "LT-1").snipeit_id == 2
    assert last_event(stocked)[5] == {"name": "Lab", "snipeit_id": 2}
    refuses(
        stocked,
        HardStop,
        "^Snipe-IT id 2 already belongs to LT-1$",
        UpdateAsset(tag="LT-2", snipeit_id=2),
    )
    sound(stocked)


# -- the requests themselves ----------------------------------------------------


def test_a_request_cannot_be_changed_once_made(stocked):
    # The kiosk shows a plan, then commits the request it carries: it must be the same one.
    add_request = AddAsset(tag="LT-9", into=SlotRef("A", 3))
    update_request = UpdateAsset(tag="LT-1", name="Lab")
    plan = preview(stocked, add_request)
    with pytest.raises(dataclasses.FrozenInstanceError):
        add_request.into = SlotRef("A", 4)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        update_request.name = "Other"  # type: ignore[misc]
    assert {plan.request, add_request} == {add_request}


def test_requests_take_their_fields_by_name_only():
    # Tag, name, model, serial and notes are all text: by position they would be mixed up.
    with pytest.raises(TypeError):
        AddAsset("LT-9", "Latitude")  # type: ignore[misc]
    with pytest.raises(TypeError):
        UpdateAsset("LT-9", "Latitude")  # type: ignore[misc]
