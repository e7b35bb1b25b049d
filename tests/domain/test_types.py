"""The domain's shared values: how a slot is written, read, ordered; what an asset says."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.domain import assets
from kiosk.domain.custody import STATUS_CHANGES, StockOut
from kiosk.domain.operations import execute
from kiosk.domain.types import STATUSES, Asset, SlotRef, slot_or_none
from kiosk.errors import InvalidInput
from tests.conftest import ACTOR, add


def test_a_slot_is_printed_case_colon_position():
    assert str(SlotRef("CART-A", 3)) == "CART-A:3"


def test_a_slot_is_parsed_from_what_barcodes_and_events_print():
    assert SlotRef.parse("CART-A:3") == SlotRef("CART-A", 3)
    assert SlotRef.parse("  CART-A : 12 \n") == SlotRef("CART-A", 12)
    assert SlotRef.parse(SlotRef("B", 2)) == SlotRef("B", 2)


def test_parsing_splits_at_the_last_colon():
    # A case name may not hold ':', so "A:B:3" is a bad case name, not slot "B:3" of case A.
    with pytest.raises(InvalidInput, match=r"^case name may not contain ':': A:B$"):
        SlotRef.parse("A:B:3")


@pytest.mark.parametrize(
    "text, message",
    [
        ("CART-A3", r"^slot must be CASE:POS: CART-A3$"),
        (" A3 ", r"^slot must be CASE:POS: A3$"),
        ("A3\x1b[2J", r"^slot must be CASE:POS: A3\\x1b\[2J$"),
        (":3", r"^case name is empty$"),
        ("A:", r"^slot position must be a whole number:$"),
        ("A:0", r"^slot position must be 1 or more, got 0$"),
        ("A:x", r"^slot position must be a whole number: x$"),
    ],
)
def test_a_slot_that_does_not_parse_says_why(text, message):
    with pytest.raises(InvalidInput, match=message):
        SlotRef.parse(text)


def test_a_slot_from_typed_parts_is_checked_and_stripped():
    assert SlotRef.of(" CART-A ", " 7 ") == SlotRef("CART-A", 7)
    assert SlotRef.of("B", 2) == SlotRef("B", 2)
    with pytest.raises(InvalidInput, match="^case name may not contain ':'"):
        SlotRef.of("A:1", 2)
    with pytest.raises(InvalidInput, match="^slot position must be 1 or more, got -1$"):
        SlotRef.of("A", -1)


def test_slots_sort_by_case_then_by_position_as_a_number():
    refs = [SlotRef("B", 1), SlotRef("A", 10), SlotRef("A", 2)]
    assert sorted(refs) == [SlotRef("A", 2), SlotRef("A", 10), SlotRef("B", 1)]
    assert SlotRef("A", 2) < SlotRef("A", 10)


def test_a_slot_is_a_value_usable_as_a_key_and_cannot_change():
    lit = {SlotRef("A", 1): "steady"}
    assert lit[SlotRef("A", 1)] == "steady"
    ref = SlotRef("A", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.pos = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "case, pos, expected",
    [
        ("A", 3, SlotRef("A", 3)),
        (None, 3, None),
        ("A", None, None),
        (None, None, None),
    ],
)
def test_a_slot_from_two_columns_needs_both(case, pos, expected):
    assert slot_or_none(case, pos) == expected
    if expected is None:
        assert slot_or_none(case, pos) is None


def test_the_statuses_are_the_ones_assets_are_counted_by(stocked):
    # One asset in each status the operations can reach; the counts name all five.
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    execute(stocked, STATUS_CHANGES["repair"]("LT-2"), actor=ACTOR)
    execute(stocked, STATUS_CHANGES["retire"]("LT-3"), actor=ACTOR)
    add(stocked, "LT-5")
    execute(stocked, STATUS_CHANGES["lost"]("LT-5"), actor=ACTOR)
    assert STATUSES == ("IN_STOCK", "IN_CUSTODY", "REPAIR", "RETIRED", "LOST")
    with stocked.read() as conn:
        assert assets.counts(conn) == {
            "IN_STOCK": 1,
            "IN_CUSTODY": 1,
            "REPAIR": 1,
            "RETIRED": 1,
            "LOST": 1,
        }


#: An asset's plain fields, the same in the value and in what scripts read.
PLAIN = {
    "tag": "LT-1",
    "name": "ThinkPad",
    "model": "T14",
    "serial": "S1",
    "status": "IN_STOCK",
    "custodian": None,
    "custodian_name": None,
    "due": None,
    "notes": "",
    "created": "2026-01-01T00:00:00Z",
    "updated": "2026-01-02T00:00:00Z",
}


def _asset(**fields):
    return Asset(**(PLAIN | {"slot": SlotRef("A", 1), "home": SlotRef("A", 2)} | fields))


def test_an_asset_as_scripts_read_it():
    # Slots are written CASE:POS, as everywhere in JSON.
    expected = PLAIN | {"slot": "A:1", "home": "A:2", "snipeit_id": 17}
    assert _asset(snipeit_id=17).as_dict() == expected


def test_an_asset_out_on_loan_says_who_has_it_and_no_slot():
    lent = _asset(
        status="IN_CUSTODY",
        slot=None,
        custodian="0042",
        custodian_name="Alice Ng",
        due="2030-01-01",
    ).as_dict()
    assert (lent["slot"], lent["home"]) == (None, "A:2")
    assert (lent["custodian"], lent["custodian_name"], lent["due"]) == (
        "0042",
        "Alice Ng",
        "2030-01-01",
    )
    homeless = _asset(home=None).as_dict()
    assert (homeless["slot"], homeless["home"]) == ("A:1", None)


def test_an_asset_not_known_to_snipeit_has_no_id():
    assert _asset().snipeit_id is None
    assert _asset().as_dict()["snipeit_id"] is None


def test_an_asset_read_cannot_be_changed_after_the_fact():
    asset = _asset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        asset.status = "LOST"  # type: ignore[misc]
    assert asset == _asset()
