"""operations on their own: preview, execute, commit, and what a plan says.

test_custody.py proves each request's rules; this file proves the machinery
every request goes through, above all that :func:`commit` applies a plan only
while the plan made again inside the write transaction equals it.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from kiosk.domain import assets, people
from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.operations import (
    AssetState,
    Operation,
    Plan,
    commit,
    describe,
    execute,
    preview,
    run_in,
)
from kiosk.domain.placement import Assign, Move
from kiosk.domain.types import SlotRef
from kiosk.errors import ChangedSincePreview, HardStop
from tests.conftest import ACTOR, snapshot
from tests.domain.helpers import refused, sound


def events(db):
    with db.read() as conn:
        return conn.execute(
            "SELECT actor, op, asset, from_slot, to_slot, person, details FROM events ORDER BY id"
        ).fetchall()


def test_preview_plans_and_writes_nothing(stocked):
    before = snapshot(stocked)
    plan = preview(stocked, Move("LT-1", SlotRef("A", 4)))
    assert snapshot(stocked) == before
    assert (plan.op, plan.subject, plan.from_slot, plan.to_slot) == (
        "move",
        "LT-1",
        SlotRef("A", 1),
        SlotRef("A", 4),
    )
    assert plan.before == AssetState(
        "LT-1", "IN_STOCK", SlotRef("A", 1), SlotRef("A", 1), None, None
    )


def test_execute_applies_in_order_and_appends_one_event(stocked):
    count = len(events(stocked))
    plan = execute(stocked, Move("LT-1", SlotRef("A", 4)), actor="ops")
    with stocked.read() as conn:
        asset = assets.get(conn, "LT-1")
    assert (asset.slot, asset.home) == (SlotRef("A", 4), SlotRef("A", 4))
    new = events(stocked)[count:]
    assert [e[:6] for e in new] == [("ops", "move", "LT-1", "A:1", "A:4", None)]
    assert json.loads(new[0][6]) == plan.details() == {"home_case": "A", "home_pos": 4}
    sound(stocked)


def test_commit_of_an_unchanged_plan_applies_it_once(stocked):
    plan = preview(stocked, StockOut(tag="LT-1", badge="0042"))
    count = len(events(stocked))
    fresh = commit(stocked, plan, actor="kiosk")
    assert fresh == plan
    new = events(stocked)[count:]
    assert [(e[0], e[1], e[2], e[3], e[5]) for e in new] == [
        ("kiosk", "stock_out", "LT-1", "A:1", "0042")
    ]
    with stocked.read() as conn:
        assert assets.get(conn, "LT-1").status == "IN_CUSTODY"
    sound(stocked)


def test_commit_refuses_a_plan_whose_person_changed(stocked):
    # The re-plan succeeds (nothing blocks it) but differs from what was shown:
    # the name on the screen is no longer the person's name.
    plan = preview(stocked, StockOut(tag="LT-1", badge="0042"))
    with stocked.write() as conn:
        conn.execute("UPDATE people SET name = 'Alice Ng-Park' WHERE badge = '0042'")
    err = refused(
        stocked, ChangedSincePreview, "changed since preview", commit, stocked, plan, actor="k"
    )
    assert str(err) == "changed since preview: person name was Alice Ng, now Alice Ng-Park"


def test_commit_refuses_a_plan_that_is_now_blocked(stocked):
    plan = preview(stocked, Assign("LT-4", SlotRef("A", 3)))
    execute(stocked, Move("LT-2", SlotRef("A", 3)), actor=ACTOR)
    err = refused(
        stocked,
        ChangedSincePreview,
        r"^changed since preview: slot A:3 holds LT-2$",
        commit,
        stocked,
        plan,
        actor="k",
    )
    assert isinstance(err.__cause__, HardStop)


def test_commit_refuses_a_plan_whose_asset_is_gone(stocked):
    plan = preview(stocked, Assign("LT-4", SlotRef("A", 3)))
    with stocked.write() as conn:
        conn.execute("DELETE FROM assets WHERE tag = 'LT-4'")
    refused(
        stocked,
        ChangedSincePreview,
        "changed since preview: .*LT-4",
        commit,
        stocked,
        plan,
        actor="k",
    )


def test_a_refused_commit_leaves_the_connection_usable(stocked):
    plan = preview(stocked, StockOut(tag="LT-1", badge="0042"))
    execute(stocked, Move("LT-1", SlotRef("A", 4)), actor=ACTOR)
    with pytest.raises(ChangedSincePreview):
        commit(stocked, plan, actor="k")
    commit(stocked, preview(stocked, StockOut(tag="LT-1", badge="0042")), actor="k")
    sound(stocked)


def test_run_in_plans_and_applies_inside_the_callers_transaction(stocked):
    with stocked.write() as conn:
        plan = run_in(conn, Assign("LT-4", SlotRef("A", 3)), actor="batch")
        assert assets.get(conn, "LT-4").slot == SlotRef("A", 3)
    assert plan.to_slot == SlotRef("A", 3)
    assert events(stocked)[-1][:2] == ("batch", "assign")


def test_plans_compare_by_what_they_change_not_by_their_summary(stocked):
    plan = preview(stocked, StockIn(tag="LT-4", slot=SlotRef("A", 3)))
    assert plan == Plan(
        request=plan.request,
        tag=plan.tag,
        before=plan.before,
        to_slot=plan.to_slot,
        person=plan.person,
        person_name=plan.person_name,
        changes=plan.changes,
        summary="anything",
    )
    assert plan != Plan(request=plan.request, tag=plan.tag)


def test_details_leave_out_what_status_and_custodian_say():
    plan = Plan(
        request=Assign("LT-1", SlotRef("A", 1)),
        tag="LT-1",
        changes=(("status", "IN_CUSTODY"), ("custodian", "0042"), ("due", "2030-01-01")),
    )
    assert plan.details() == {"due": "2030-01-01"}


def test_a_plan_without_an_asset_has_no_subject():
    plan = Plan(request=Assign("LT-1", SlotRef("A", 1)))
    with pytest.raises(ValueError, match="^a assign plan names no asset$"):
        _ = plan.subject


def test_describe_names_each_difference():
    request = Assign("LT-1", SlotRef("A", 1))
    before = AssetState("LT-1", "IN_STOCK", SlotRef("A", 1), None, None, None)
    after = AssetState("LT-1", "REPAIR", None, None, None, None)
    old = Plan(request=request, tag="LT-1", before=before, to_slot=SlotRef("A", 1), summary="x")
    new = Plan(request=request, tag="LT-1", before=after, to_slot=None, summary="y")
    assert describe(old, new) == (
        "LT-1 status was IN_STOCK, now REPAIR; LT-1 slot was A:1, now none; "
        "to slot was A:1, now none"
    )
    assert describe(old, old) == "the plan differs"


def test_asset_state_keeps_what_a_plan_relies_on(stocked):
    people.add_person(stocked, "0050", "Dee", actor=ACTOR)
    execute(stocked, StockOut("LT-3", "0050", due="2999-01-01"), actor=ACTOR)
    with stocked.read() as conn:
        state = AssetState.of(assets.get(conn, "LT-3"))
    assert state == AssetState("LT-3", "IN_CUSTODY", None, SlotRef("B", 1), "0050", "2999-01-01")


def test_plans_and_states_are_frozen_and_plans_take_keywords_only():
    request = Assign("LT-1", SlotRef("A", 1))
    plan = Plan(request=request, tag="LT-1")
    state = AssetState("LT-1", "IN_STOCK", None, None, None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.tag = "LT-2"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.status = "LOST"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Plan(request, "LT-1")  # type: ignore[misc]


def test_a_plan_says_nothing_it_was_not_told():
    plan = Plan(request=Assign("LT-1", SlotRef("A", 1)))
    assert (plan.tag, plan.before, plan.from_slot, plan.to_slot) == (None, None, None, None)
    assert (plan.person, plan.person_name, plan.changes, plan.summary) == (None, None, (), "")


def test_an_operation_must_say_how_it_plans():
    class Half(Operation):
        op = "half"

    with pytest.raises(TypeError, match="abstract"):
        Half()  # type: ignore[abstract]


def test_describe_when_only_one_plan_knew_the_asset():
    request = Assign("LT-1", SlotRef("A", 1))
    state = AssetState("LT-1", "IN_STOCK", None, None, None, None)
    old = Plan(request=request, tag="LT-1")
    new = Plan(request=request, tag="LT-1", before=state)
    assert describe(old, new) == f"before was none, now {state}"
