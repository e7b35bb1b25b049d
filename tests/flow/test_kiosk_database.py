"""What the database does under the kiosk: changes by others, loans falling due, failures.

Same scripts as ``test_interaction.py``. A refresh (the daemon's tick noticing
another process's commit) must keep a view that still holds and drop or
re-plan one that does not; a loan's due date decides what a stock-out says;
a database that can no longer be read is said, and never leaves an LED lit.
"""

from __future__ import annotations

import pytest

from kiosk.flow.intent import Rules
from tests.flow.test_interaction import A1, A3, A4, BLINK, ON, Script, cli, play
from tests.flow.test_kiosk_rules import make_overdue
from tests.flow.test_kiosk_steps import (
    AWAIT_BADGE,
    CONFLICT,
    ERROR,
    IDLE,
    PREVIEW,
    SUCCESS,
    body,
    text,
)

# -- refresh -------------------------------------------------------------------


def test_a_refresh_at_idle_shows_the_new_counts_and_keeps_the_note(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(script, [("scan LT-0101", AWAIT_BADGE, None, None), ("cancel", IDLE, {}, "Cancelled")])
    before = script.machine.view.screen.lines[1]
    cli(other_db, "add", "LT-0990")
    play(script, [("refresh", IDLE, {}, "Cancelled")])
    after = script.machine.view.screen.lines[1]
    assert (before, after) == ("6 assets, 1 out", "7 assets, 1 out")
    play(script, [("wait 5", IDLE, {}, "7 assets, 1 out")])
    assert script.machine.view.screen.title == "Scan an asset"


def test_a_refresh_that_changes_nothing_leaves_the_preview_as_it_was(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    shown = play(script, [("scan LT-0103", PREVIEW, {A3: BLINK}, None)])
    cli(other_db, "repair", "LT-0202")
    play(script, [("refresh", PREVIEW, {A3: BLINK}, None)])
    assert script.machine.view == shown


def test_a_refresh_that_changes_the_preview_heads_it_changed_meanwhile(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    shown = play(script, [("scan LT-0999", PREVIEW, {A4: BLINK}, None)])
    cli(other_db, "add", "LT-0950", "into=CART-A:4")
    view = play(script, [("refresh", PREVIEW, {"CART-A:6": BLINK}, None)])
    assert view.screen.lines == ("Changed meanwhile", "LT-0999", "into CART-A:6")
    assert (view.screen.title, view.screen.action) == (shown.screen.title, shown.screen.action)
    cli(other_db, "add", "LT-0951", "into=CART-A:6")
    play(script, [("refresh", PREVIEW, {"CART-A:7": BLINK}, None)])
    assert script.machine.view.screen.lines[0] == "Changed meanwhile"


def test_a_refresh_that_blocks_the_preview_is_titled_changed_meanwhile(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(script, [("scan LT-0103", PREVIEW, {A3: BLINK}, None)])
    cli(other_db, "add", "LT-0950", "into=CART-A:3")
    view = play(script, [("refresh", CONFLICT, {}, None)])
    assert view.screen.title == "Changed meanwhile"
    assert body(view) == "slot CART-A:3 holds LT-0950"


def test_a_refresh_while_waiting_for_a_badge(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    waiting = play(script, [("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None)])
    cli(other_db, "repair", "LT-0202")
    play(script, [("refresh", AWAIT_BADGE, {A1: BLINK}, None)])
    assert script.machine.view == waiting
    cli(other_db, "move", "LT-0101", "slot=CART-A:6")
    view = play(script, [("refresh", CONFLICT, {}, None)])
    assert view.screen.title == "Changed meanwhile"
    assert body(view) == "LT-0101 changed meanwhile (now in stock)"
    assert view.screen.action == "Scan the tag again"
    play(script, [("scan BADGE:0043", PREVIEW, {"CART-A:6": BLINK}, "from CART-A:6")])


@pytest.mark.parametrize(
    ("op", "now"), [("stock_out LT-0101 badge=0042", "in custody"), ("lost LT-0101", "lost")]
)
def test_a_badge_wait_names_what_the_asset_became(op, now, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(script, [("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None)])
    cli(other_db, *op.split())
    view = play(script, [("refresh", CONFLICT, {}, None)])
    assert body(view) == f"LT-0101 changed meanwhile (now {now})"


def test_a_badge_wait_for_an_asset_that_is_gone(kiosk_db, other_db):
    """A restored older copy of the file may lack an asset the kiosk just read."""
    script = Script(kiosk_db, other_db)
    play(script, [("scan LT-0104", AWAIT_BADGE, {"CART-A:5": BLINK}, None)])
    conn = other_db.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    with other_db.write() as c:
        c.execute("DELETE FROM assets WHERE tag = 'LT-0104'")
    view = play(script, [("refresh", CONFLICT, {}, None)])
    assert body(view) == "LT-0104 changed meanwhile (now gone)"


def test_a_refresh_after_a_stock_out_keeps_the_done_screen(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0043", PREVIEW, {A1: BLINK}, None),
            ("confirm", SUCCESS, {}, "LT-0101 -> Bob Okafor"),
            ("cli stock_in LT-0101", SUCCESS, {}, None),
            ("refresh", SUCCESS, {}, "LT-0101 -> Bob Okafor"),
        ],
    )


def test_a_refresh_after_a_stock_in_keeps_a_steady_led_that_still_holds(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    done = play(
        script,
        [
            ("scan LT-0103", PREVIEW, {A3: BLINK}, None),
            ("confirm", SUCCESS, {A3: ON}, None),
            ("cli repair LT-0202", SUCCESS, {A3: ON}, None),
        ],
    )
    play(script, [("refresh", SUCCESS, {A3: ON}, None)])
    assert script.machine.view == done


@pytest.mark.parametrize(
    "actions",
    [
        ["scan SLOT:CART-A:1"],  # error
        ["scan LT-0102", "scan BADGE:9999"],  # conflict
    ],
)
def test_a_refresh_leaves_a_stop_as_it_is(actions, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    for action in actions:
        script.step(action)
    shown = script.machine.view
    cli(other_db, "add", "LT-0990")
    script.step("refresh")
    assert script.machine.view == shown


# -- overdue loans -------------------------------------------------------------


def test_an_overdue_laptop_can_always_be_returned(kiosk_db, other_db):
    make_overdue(other_db, "LT-0103", 3)
    script = Script(kiosk_db, other_db, rules=Rules(block_overdue=True))
    view = play(script, [("scan LT-0103", PREVIEW, {A3: BLINK}, "returned by Alice Ng")])
    assert "overdue" not in text(view)
    play(script, [("confirm", SUCCESS, {A3: ON}, None)])


@pytest.mark.parametrize("days", [0, None])
def test_a_loan_due_today_or_without_a_date_is_not_overdue(days, kiosk_db, other_db):
    if days is None:
        cli(other_db, "stock_out", "LT-0201", "badge=0042")
    else:
        make_overdue(other_db, "LT-0103", days)
    script = Script(kiosk_db, other_db, rules=Rules(block_overdue=True))
    view = play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0042", PREVIEW, {A1: BLINK}, "LT-0101 -> Alice Ng"),
        ],
    )
    assert "overdue" not in text(view)


def test_a_blocked_loan_is_titled_and_lights_nothing(kiosk_db, other_db):
    make_overdue(other_db, "LT-0103", 10)
    cli(other_db, "stock_out", "LT-0201", "badge=0042")
    make_overdue(other_db, "LT-0201", 2)
    script = Script(kiosk_db, other_db, rules=Rules(block_overdue=True))
    script.step("scan LT-0101")
    view = play(script, [("scan BADGE:0042", CONFLICT, {}, None)])
    assert view.screen.title == "Overdue loans"
    assert body(view) == "Alice Ng: LT-0103 overdue 10 d, LT-0201 overdue 2 d"
    assert script.machine.confirm(script.now) is None


# -- a database that cannot be read --------------------------------------------


def test_a_database_that_cannot_be_read_is_said_and_nothing_is_planned(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    kiosk_db.conn.close()  # every read now fails in the storage layer
    view = play(script, [("scan LT-0101", ERROR, {}, "database error")])
    assert view.screen.title == "Not understood"
    play(script, [("scan lt-0101", ERROR, {}, "not a tag, slot or badge: lt-0101")])
    play(script, [("cancel", IDLE, {}, "database unavailable")])


@pytest.mark.parametrize(
    "actions",
    [
        ["scan LT-0101"],  # waiting for a badge: the asset is read again
        ["scan LT-0103", "confirm"],  # a steady LED: the asset is read again
    ],
)
def test_a_refresh_that_cannot_read_is_an_error_not_a_stale_led(actions, kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    for action in actions:
        script.step(action)
    kiosk_db.conn.close()
    view = play(script, [("refresh", ERROR, {}, "database error")])
    assert view.leds == {}
