"""people on their own: who may borrow, what each holds, adding and removing a badge."""

from __future__ import annotations

import dataclasses
import json

import pytest

from kiosk.domain import people, slots
from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.operations import execute
from kiosk.domain.people import Person
from kiosk.errors import HardStop, InvalidInput, NotFound
from tests.conftest import ACTOR, add
from tests.domain.helpers import refused, sound


def person_events(db):
    with db.read() as conn:
        return [
            (actor, op, asset, person, json.loads(details))
            for actor, op, asset, person, details in conn.execute(
                "SELECT actor, op, asset, person, details FROM events "
                "WHERE op LIKE 'person_%' ORDER BY id"
            )
        ]


def test_adding_a_person_records_the_row_and_one_event(db):
    added = people.add_person(db, " 0042 ", "  Alice Ng ", actor="ops")
    assert added == Person("0042", "Alice Ng", 0)
    assert added.holding == 0
    with db.read() as conn:
        assert people.person(conn, "0042") == Person("0042", "Alice Ng", 0)
    assert person_events(db) == [("ops", "person_add", None, "0042", {"name": "Alice Ng"})]
    sound(db)


def test_a_person_without_a_name_is_called_by_their_badge(db):
    assert people.add_person(db, "0042", "   ", actor=ACTOR) == Person("0042", "0042")
    assert people.add_person(db, "0043", "", actor=ACTOR).name == "0043"
    assert [e[4] for e in person_events(db)] == [{"name": "0042"}, {"name": "0043"}]


def test_a_badge_is_added_once(stocked):
    err = refused(
        stocked,
        HardStop,
        "^badge 0042 already belongs to Alice Ng$",
        people.add_person,
        stocked,
        "0042",
        "Someone Else",
        actor=ACTOR,
    )
    assert err.code == "already_exists"


def test_adding_refuses_a_bad_badge_or_name(db):
    refused(db, InvalidInput, "^badge is empty$", people.add_person, db, " ", "A", actor=ACTOR)
    refused(
        db,
        InvalidInput,
        "^name holds a NUL character$",
        people.add_person,
        db,
        "1",
        "a\x00",
        actor=ACTOR,
    )


def test_insert_person_joins_the_callers_transaction(db):
    with pytest.raises(RuntimeError), db.write() as conn:
        people.insert_person(conn, "0042", "Alice Ng", actor=ACTOR)
        raise RuntimeError("the import fails further on")
    with db.read() as conn:
        assert people.people(conn) == []
    assert person_events(db) == []


def test_people_are_listed_by_name_then_badge_with_what_they_hold(stocked):
    people.add_person(stocked, "0001", "Bob Okafor", actor=ACTOR)
    execute(stocked, StockOut("LT-1", "0043"), actor=ACTOR)
    execute(stocked, StockOut("LT-2", "0043"), actor=ACTOR)
    execute(stocked, StockOut("LT-3", "0042"), actor=ACTOR)
    with stocked.read() as conn:
        assert people.people(conn) == [
            Person("0042", "Alice Ng", 1),
            Person("0001", "Bob Okafor", 0),
            Person("0043", "Bob Okafor", 2),
        ]
        assert people.person(conn, "0043") == Person("0043", "Bob Okafor", 2)
        assert people.person(conn, "0001").holding == 0


def test_an_unknown_badge_is_not_found(stocked):
    with stocked.read() as conn, pytest.raises(NotFound, match="^unknown badge 9999$"):
        people.person(conn, "9999")


def test_a_person_as_a_script_reads_them(stocked):
    execute(stocked, StockOut("LT-1", "0042"), actor=ACTOR)
    with stocked.read() as conn:
        found = people.person(conn, "0042")
    assert found.as_dict() == {"badge": "0042", "name": "Alice Ng", "holding": 1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.holding = 0  # type: ignore[misc]


def test_removing_a_person_returns_who_they_were_and_records_it(stocked):
    removed = people.remove_person(stocked, " 0043 ", actor="ops")
    assert removed == Person("0043", "Bob Okafor", 0)
    with stocked.read() as conn:
        assert [p.badge for p in people.people(conn)] == ["0042"]
    assert person_events(stocked)[-1] == (
        "ops",
        "person_remove",
        None,
        "0043",
        {"name": "Bob Okafor"},
    )
    sound(stocked)


def test_removing_an_unknown_or_bad_badge_is_refused(stocked):
    refused(
        stocked,
        NotFound,
        "^unknown badge 9999$",
        people.remove_person,
        stocked,
        "9999",
        actor=ACTOR,
    )
    refused(
        stocked, InvalidInput, "^badge is empty$", people.remove_person, stocked, "", actor=ACTOR
    )


def _lend(db, count, badge="0042"):
    slots.init_case(db, "L", count, actor=ACTOR)
    for n in range(1, count + 1):
        add(db, f"LN-{n}", f"L:{n}")
        execute(db, StockOut(f"LN-{n}", badge), actor=ACTOR)


def test_a_holder_is_refused_naming_up_to_four_assets(db):
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    _lend(db, 4)
    err = refused(
        db,
        HardStop,
        r"^Alice Ng \(0042\) holds LN-1, LN-2, LN-3, LN-4$",
        people.remove_person,
        db,
        "0042",
        actor=ACTOR,
    )
    assert err.code == "holding_assets"


def test_a_holder_of_more_than_four_is_refused_with_an_ellipsis(db):
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    _lend(db, 5)
    refused(
        db,
        HardStop,
        r"^Alice Ng \(0042\) holds LN-1, LN-2, LN-3, LN-4, \.\.\.$",
        people.remove_person,
        db,
        "0042",
        actor=ACTOR,
    )
    for n in range(1, 6):
        execute(db, StockIn(f"LN-{n}"), actor=ACTOR)
    assert people.remove_person(db, "0042", actor=ACTOR).name == "Alice Ng"
    sound(db)
