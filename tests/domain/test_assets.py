"""assets on their own: how an asset reads back, the lists and counts, its row's writes.

Every screen, CLI listing and export reads assets through this module, so
each read is proven against rows written by real operations.
"""

from __future__ import annotations

import pytest

from kiosk.domain import assets, people
from kiosk.domain.custody import STATUS_CHANGES, StockOut
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import InvalidInput, NotFound
from tests.conftest import ACTOR, add
from tests.domain.helpers import sound


def read(db, fn, *args, **kwargs):
    with db.read() as conn:
        return fn(conn, *args, **kwargs)


def test_an_asset_reads_back_every_column_it_was_given(stocked):
    described = {
        "name": "Latitude 7440",
        "model": "Dell 7440",
        "serial": "SN-77",
        "notes": "charger missing",
    }
    request = AddAsset(
        tag="LT-7", **described, home=SlotRef("B", 2), into=SlotRef("A", 3), snipeit_id=77
    )
    execute(stocked, request, actor=ACTOR)
    found = read(stocked, assets.get, "LT-7")
    assert found == Asset(
        tag="LT-7",
        **described,
        status="IN_STOCK",
        slot=SlotRef("A", 3),
        home=SlotRef("B", 2),
        custodian=None,
        custodian_name=None,
        due=None,
        created=found.created,
        updated=found.updated,
        snipeit_id=77,
    )
    # A new row is created and last changed at the same moment.
    assert found.created == found.updated
    assert found.created.endswith("Z")


def test_an_asset_out_on_loan_names_its_custodian_and_due_date(stocked):
    execute(stocked, StockOut("LT-1", "0042", due="2099-03-01"), actor=ACTOR)
    found = read(stocked, assets.find, "LT-1")
    assert (found.status, found.slot, found.home) == ("IN_CUSTODY", None, SlotRef("A", 1))
    assert (found.custodian, found.custodian_name, found.due) == ("0042", "Alice Ng", "2099-03-01")
    assert found.updated >= found.created


def test_an_unknown_asset_is_none_to_find_and_not_found_to_get(stocked):
    assert read(stocked, assets.find, "LT-99") is None
    with pytest.raises(NotFound, match="^unknown asset LT-99$"):
        read(stocked, assets.get, "LT-99")


def test_get_takes_a_tag_as_typed_and_refuses_a_bad_one(stocked):
    assert read(stocked, assets.get, "  LT-2 ").tag == "LT-2"
    with pytest.raises(InvalidInput, match="^asset tag is empty$"):
        read(stocked, assets.get, " ")
    # find is exact: it is handed tags already checked.
    assert read(stocked, assets.find, " LT-2") is None


def test_a_case_twin_is_a_known_tag_differing_only_in_letter_case(stocked):
    add(stocked, "lt-x")
    assert read(stocked, assets.find_case_twin, "lt-1") == "LT-1"
    assert read(stocked, assets.find_case_twin, "LT-X") == "lt-x"
    assert read(stocked, assets.find_case_twin, "LT-1") is None
    assert read(stocked, assets.find_case_twin, "LT-99") is None


def test_held_by_lists_a_persons_assets_soonest_due_first_undated_last(stocked):
    add(stocked, "LT-0", "A:3")
    execute(stocked, StockOut("LT-3", "0042"), actor=ACTOR)
    execute(stocked, StockOut("LT-2", "0042", due="2099-05-01"), actor=ACTOR)
    execute(stocked, StockOut("LT-1", "0042", due="2099-04-01"), actor=ACTOR)
    execute(stocked, StockOut("LT-0", "0042"), actor=ACTOR)
    execute(stocked, StockOut("LT-4", "0043", due="2099-01-01"), actor=ACTOR)
    held = read(stocked, assets.held_by, "0042")
    assert [(a.tag, a.due) for a in held] == [
        ("LT-1", "2099-04-01"),
        ("LT-2", "2099-05-01"),
        ("LT-0", None),
        ("LT-3", None),
    ]
    assert {a.custodian_name for a in held} == {"Alice Ng"}
    assert read(stocked, assets.held_by, "9999") == []


def test_a_snipeit_id_names_its_asset(stocked):
    add(stocked, "LT-8", snipeit_id=8)
    assert read(stocked, assets.tag_of_snipeit_id, 8) == "LT-8"
    assert read(stocked, assets.tag_of_snipeit_id, 9) is None


def test_listing_is_by_tag_or_one_status(stocked):
    add(stocked, "LT-0")
    execute(stocked, STATUS_CHANGES["repair"]("LT-2"), actor=ACTOR)
    assert [a.tag for a in read(stocked, assets.listing)] == [
        "LT-0",
        "LT-1",
        "LT-2",
        "LT-3",
        "LT-4",
    ]
    in_stock = read(stocked, assets.listing, status="IN_STOCK")
    assert [a.tag for a in in_stock] == ["LT-0", "LT-1", "LT-3", "LT-4"]
    assert [a.slot for a in in_stock] == [None, SlotRef("A", 1), SlotRef("B", 1), None]
    assert [a.tag for a in read(stocked, assets.listing, status="REPAIR")] == ["LT-2"]
    assert read(stocked, assets.listing, status="LOST") == []


def test_overdue_lists_what_was_due_before_the_day_soonest_first(stocked):
    execute(stocked, StockOut("LT-3", "0042", due="2099-01-10"), actor=ACTOR)
    execute(stocked, StockOut("LT-1", "0043", due="2099-01-05"), actor=ACTOR)
    execute(stocked, StockOut("LT-2", "0042", due="2099-01-20"), actor=ACTOR)
    execute(stocked, StockOut("LT-4", "0043"), actor=ACTOR)
    overdue = read(stocked, assets.listing, overdue_on="2099-01-20")
    assert [(a.tag, a.due, a.custodian_name) for a in overdue] == [
        ("LT-1", "2099-01-05", "Bob Okafor"),
        ("LT-3", "2099-01-10", "Alice Ng"),
    ]
    # The overdue day wins over a status filter: every overdue loan is in custody.
    both = read(stocked, assets.listing, status="IN_STOCK", overdue_on="2099-01-06")
    assert [a.tag for a in both] == ["LT-1"]


def test_counts_name_every_status_zero_included(stocked):
    people.add_person(stocked, "0044", "Cy", actor=ACTOR)
    execute(stocked, StockOut("LT-1", "0044"), actor=ACTOR)
    execute(stocked, STATUS_CHANGES["lost"]("LT-4"), actor=ACTOR)
    assert read(stocked, assets.counts) == {
        "IN_STOCK": 2,
        "IN_CUSTODY": 1,
        "REPAIR": 0,
        "RETIRED": 0,
        "LOST": 1,
    }


def test_counts_of_an_empty_database_are_all_zero(db):
    assert read(db, assets.counts) == dict.fromkeys(
        ("IN_STOCK", "IN_CUSTODY", "REPAIR", "RETIRED", "LOST"), 0
    )


def test_insert_writes_every_writable_column_and_ignores_the_rest(stocked):
    values = {
        "name": "n",
        "model": "m",
        "serial": "s",
        "status": "IN_CUSTODY",
        "home_case": "B",
        "home_pos": 2,
        "custodian": "0042",
        "due": "2099-01-01",
        "notes": "x",
        "snipeit_id": 5,
        # Not columns an operation sets: dropped, not written.
        "created": "1999-01-01T00:00:00.000Z",
        "snipeit_status": "Deployed",
    }
    with stocked.write() as conn:
        assets.insert(conn, "LT-5", values)
        found = assets.get(conn, "LT-5")
    assert (found.name, found.model, found.serial, found.notes) == ("n", "m", "s", "x")
    assert (found.status, found.custodian, found.due) == ("IN_CUSTODY", "0042", "2099-01-01")
    assert (found.home, found.snipeit_id) == (SlotRef("B", 2), 5)
    assert found.created == found.updated != "1999-01-01T00:00:00.000Z"


def test_update_writes_the_writable_columns_named_and_no_other(stocked):
    before = read(stocked, assets.get, "LT-1")
    with stocked.write() as conn:
        assets.update(
            conn,
            "LT-1",
            {
                "name": "renamed",
                "notes": "dent",
                "home_case": "B",
                "home_pos": 2,
                "tag": "LT-X",
                "updated": "1999-01-01T00:00:00.000Z",
            },
        )
    after = read(stocked, assets.get, "LT-1")
    assert (after.name, after.notes, after.home) == ("renamed", "dent", SlotRef("B", 2))
    assert (after.model, after.status, after.slot) == (before.model, "IN_STOCK", SlotRef("A", 1))
    assert (after.created, read(stocked, assets.find, "LT-X")) == (before.created, None)
    assert before.updated <= after.updated != "1999-01-01T00:00:00.000Z"
    assert read(stocked, assets.get, "LT-2").name == ""


def test_home_changes_set_or_clear_both_columns():
    assert assets.home_changes(SlotRef("CART-A", 3)) == (("home_case", "CART-A"), ("home_pos", 3))
    assert assets.home_changes(None) == (("home_case", None), ("home_pos", None))


def test_reads_after_operations_leave_the_database_sound(stocked):
    execute(stocked, StockOut("LT-1", "0042", due="2099-03-01"), actor=ACTOR)
    assert read(stocked, assets.counts)["IN_CUSTODY"] == 1
    sound(stocked)
