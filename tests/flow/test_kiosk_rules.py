"""What the kiosk refuses, asks and says: bad labels, junk tags, intake policy, loans.

Same scripts as ``test_interaction.py`` (real demo database, the state
machine driven as the daemon drives it, time from an injected clock), with
the site's rules (``[kiosk]``, ``[kiosk.patterns]``) varied.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain import assets
from kiosk.flow.barcodes import BadLabel, Classifier
from kiosk.flow.intent import Rules
from kiosk.flow.interaction import (
    AWAIT_BADGE,
    AWAIT_SLOT,
    CONFLICT,
    ERROR,
    IDLE,
    PREVIEW,
    SUCCESS,
)
from kiosk.flow.wording import screen_text
from tests.flow.test_interaction import A1, A3, A4, BLINK, ON, Script, play


def tags(db):
    with db.read() as conn:
        return {a.tag for a in assets.listing(conn)}


BAD_LABELS = [
    "SLOT:CART-A:-1",
    "SLOT::1",
    "SLOT:CART-A:+1",
    "SLOT:CART-A:1e3",
    "SLOT:CART-A:0",
    "slot:CART-A:1",
    "Slot:cart-a:x",
    "BADGE:",
    "badge:0042",
    "CMD:CONFRIM",
    "cmd:",
]


@pytest.mark.parametrize("code", BAD_LABELS)
def test_a_malformed_label_is_refused_never_taken_for_a_tag(code, kiosk_db, other_db):
    with pytest.raises(BadLabel):
        Classifier().classify(code)
    before = tags(kiosk_db)
    script = Script(kiosk_db, other_db)
    for start in ([], ["scan LT-0103"]):  # at idle, and where a slot label would retarget
        for action in start:
            script.step(action)
        view = play(script, [(f"scan {code}", ERROR, {}, "Bad label")])
        assert view.screen.action == "Reprint the label"
        script.step("confirm")
        script.step("cancel")
    assert tags(kiosk_db) == before


@pytest.mark.parametrize("code", ["cmd:confirm", "Cmd:Confirm", " CMD:CONFIRM "])
def test_command_codes_match_in_any_letter_case(code, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            (f"scan {code}", SUCCESS, {A3: ON}, None),
            ("scan lt-0101", ERROR, {}, None),
            ("scan cmd:cancel", IDLE, {}, "Cancelled"),
        ],
    )


@pytest.mark.parametrize("code", ["garbage!!", "lt-0101", "LT 0101", "LТ-0101", "LT-٠١٠١"])
def test_what_is_not_a_tag_is_never_proposed_as_a_new_asset(code, kiosk_db, other_db):
    before = tags(kiosk_db)
    script = Script(kiosk_db, other_db)
    play(script, [(f"scan {code}", ERROR, {}, None), ("confirm", ERROR, {}, None)])
    assert tags(kiosk_db) == before
    if code == "lt-0101":
        assert "LT-0101" in " ".join(screen_text(script.machine.view.screen))


def test_a_tag_differing_only_in_case_is_refused_naming_the_known_one(kiosk_db, other_db):
    # Even where the site's tag pattern allows lower case.
    lenient = Classifier(tag=r"^[A-Za-z]+-[0-9]+$")
    script = Script(kiosk_db, other_db, classifier=lenient)
    view = play(script, [("scan lt-0101", ERROR, {}, "lt-0101 is not LT-0101")])
    assert view.screen.title == "Check the tag"
    play(script, [("confirm", ERROR, {}, None), ("scan Lt-0999", PREVIEW, {A4: BLINK}, None)])


def test_the_tag_pattern_is_configurable(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, classifier=Classifier(tag=r"^[0-9]{6}$"))
    play(
        script,
        [
            ("scan LT-0999", ERROR, {}, "not a tag"),
            ("scan 123456", PREVIEW, {A4: BLINK}, "New asset"),
        ],
    )


def test_a_scan_that_would_replace_a_preview_says_so_before_anything_is_confirmed(
    kiosk_db, other_db
):
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0043", PREVIEW, {A1: BLINK}, "LT-0101 -> Bob Okafor"),
            # A reflex: an unknown tag, then Confirm. Nothing is created or lent.
            ("scan LT-0998", "replace", {}, "Switch to LT-0998?"),
            ("confirm", "replace", {}, "LT-0101 stock-out is not done"),
            ("scan CMD:CONFIRM", "replace", {}, None),
            ("scan BADGE:0044", "replace", {}, "Rescan it, or Cancel"),
            ("cancel", IDLE, {}, "Cancelled"),
        ],
    )
    assert "LT-0998" not in tags(kiosk_db)
    with kiosk_db.read() as conn:
        assert assets.get(conn, "LT-0101").status == "IN_STOCK"
    play(
        script,
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("scan LT-0101", "replace", {}, None),
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),  # back to what was pending
            ("confirm", SUCCESS, {A3: ON}, None),
        ],
    )


def test_intake_slot_needs_the_slot_label(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, rules=Rules(intake="slot"))
    play(
        script,
        [
            ("scan LT-0999", AWAIT_SLOT, {A4: BLINK}, "Scan its slot label"),
            ("confirm", AWAIT_SLOT, {A4: BLINK}, "Scan its slot label"),
            ("scan SLOT:CART-A:1", CONFLICT, {}, "slot CART-A:1 holds LT-0101"),
            ("scan SLOT:CART-B:5", PREVIEW, {"CART-B:5": BLINK}, "into CART-B:5"),
            ("confirm", SUCCESS, {"CART-B:5": ON}, None),
        ],
    )
    with kiosk_db.read() as conn:
        assert str(assets.get(conn, "LT-0999").slot) == "CART-B:5"


def test_intake_off_refuses_unknown_tags(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, rules=Rules(intake="off"))
    play(
        script,
        [
            ("scan LT-0999", ERROR, {}, "not registered"),
            ("confirm", ERROR, {}, None),
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),  # known assets still work
        ],
    )
    assert "LT-0999" not in tags(kiosk_db)


def test_kiosk_loans_get_the_configured_due_date(kiosk_db, other_db):
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    script = Script(kiosk_db, other_db, rules=Rules(loan_days=14))
    play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0043", PREVIEW, {A1: BLINK}, f"due {due}"),
            ("confirm", SUCCESS, {}, f"due {due}"),
        ],
    )
    with kiosk_db.read() as conn:
        assert assets.get(conn, "LT-0101").due == due


def make_overdue(db, tag, days):
    """Age a loan: the demo's loans are due in the future, and no command back-dates one."""
    due = (dt.date.today() - dt.timedelta(days=days)).isoformat()
    with db.write() as conn:
        conn.execute("UPDATE assets SET due = ? WHERE tag = ?", (due, tag))


def test_a_badge_with_overdue_loans_is_told_before_the_stock_out(kiosk_db, other_db):
    make_overdue(other_db, "LT-0103", 3)  # out with Alice Ng, 0042
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0042", PREVIEW, {A1: BLINK}, "Alice Ng: LT-0103 overdue 3 d"),
            ("confirm", SUCCESS, {}, None),
        ],
    )


def test_block_overdue_refuses_the_loan_naming_the_overdue_one(kiosk_db, other_db):
    make_overdue(other_db, "LT-0103", 3)
    script = Script(kiosk_db, other_db, rules=Rules(block_overdue=True))
    view = play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0042", CONFLICT, {}, "Alice Ng: LT-0103 overdue 3 d"),
            ("confirm", CONFLICT, {}, None),
        ],
    )
    assert view.screen.action == "Return it, or Cancel"
    play(script, [("scan BADGE:0043", PREVIEW, {A1: BLINK}, "Bob Okafor")])
    with kiosk_db.read() as conn:
        assert assets.get(conn, "LT-0101").status == "IN_STOCK"


def test_stock_in_says_where_it_comes_back_from(kiosk_db, other_db):
    from tests.flow.test_interaction import cli

    cli(other_db, "lost", "LT-0201")
    cli(other_db, "found", "LT-0201")  # IN_STOCK, not yet in a slot
    script = Script(kiosk_db, other_db)
    view = play(script, [("scan LT-0201", PREVIEW, {"CART-B:1": BLINK}, "LT-0201 found")])
    assert "IN_STOCK" not in " ".join(screen_text(view.screen))


# Every stop names the blocker (in the lines) and the next step (the action line).
STOPS = {
    "occupied slot": (
        ["cli add LT-0900 into=CART-A:3", "scan LT-0103"],
        "slot CART-A:3 holds LT-0900",
        "Scan slot, or Cancel",
    ),
    "unknown badge": (["scan LT-0101", "scan BADGE:9999"], "unknown badge 9999", "Scan badge"),
    "retired": (["cli retire LT-0102", "scan LT-0102"], "RETIRED", "Scan tag, or Cancel"),
    "changed since preview": (
        ["scan LT-0103", "cli stock_in LT-0103 slot=CART-B:3", "confirm"],
        "changed since preview",
        "Scan the tag again",
    ),
    "changed while waiting for a badge": (
        ["scan LT-0101", "cli stock_out LT-0101 badge=0042", "refresh"],
        "now in custody",
        "Scan the tag again",
    ),
}


@pytest.mark.parametrize("name", list(STOPS))
def test_every_conflict_names_the_blocker_and_the_next_step(name, kiosk_db, other_db):
    actions, blocker, action = STOPS[name]
    script = Script(kiosk_db, other_db)
    for step in actions:
        script.step(step)
    view = script.machine.view
    assert view.state == CONFLICT
    assert blocker.lower() in " ".join(view.screen.lines).lower()
    assert view.screen.action.startswith(action)


@pytest.mark.parametrize(
    "actions",
    [["scan BADGE:0042"], ["scan SLOT:CART-A:1"], ["scan garbage!!"], ["scan SLOT::1"]],
)
def test_short_lived_errors_go_back_to_idle_in_a_few_seconds(actions, kiosk_db, other_db):
    script = Script(kiosk_db, other_db, error_hold=5)
    for action in actions:
        script.step(action)
    play(script, [("wait 4.9", ERROR, {}, None), ("wait 0.1", IDLE, {}, "Scan an asset")])


def test_cancel_says_so_then_the_idle_screen_returns(kiosk_db, other_db):
    script = Script(kiosk_db, other_db, error_hold=5)
    play(
        script,
        [
            ("cancel", IDLE, {}, "Nothing to cancel"),
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("cancel", IDLE, {}, "Cancelled"),
            ("wait 5", IDLE, {}, None),
        ],
    )
    assert script.machine.view.screen.title == "Scan an asset"
