"""kiosk.flow.intent: what a step turns into, its name on the screen, the default rules.

The requests are checked as values; the step names and the rules as the
kiosk shows and applies them, on a real demo database (``Script``).
"""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.config.settings import KioskConfig
from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.intake import AUTO, AddAsset
from kiosk.domain.types import SlotRef
from kiosk.flow.intent import ADD, STOCK_IN, STOCK_OUT, Intent, Rules
from kiosk.flow.interaction import AWAIT_BADGE, PREVIEW, REPLACE
from tests.flow.test_interaction import A1, A4, BLINK, Script, play
from tests.flow.test_kiosk_rules import make_overdue

B5 = SlotRef("CART-B", 5)


@pytest.mark.parametrize(
    ("intent", "request_"),
    [
        (Intent(ADD, "LT-0999"), AddAsset(tag="LT-0999", into=AUTO)),
        (Intent(ADD, "LT-0999", slot=B5), AddAsset(tag="LT-0999", into=B5)),
        (Intent(STOCK_IN, "LT-0103"), StockIn("LT-0103")),
        (Intent(STOCK_IN, "LT-0103", slot=B5), StockIn("LT-0103", B5)),
        (Intent(STOCK_OUT, "LT-0101", badge="0042"), StockOut("LT-0101", "0042")),
        (
            Intent(STOCK_OUT, "LT-0101", badge="0042", due="2030-01-31"),
            StockOut("LT-0101", "0042", "2030-01-31"),
        ),
    ],
)
def test_an_intent_requests_the_operation_for_what_was_scanned(intent, request_):
    assert intent.request() == request_
    # The step's name is the operation's: the screens and the event log agree.
    assert intent.request().op == intent.op


def test_an_intent_is_a_value():
    intent = Intent(STOCK_IN, "LT-0103")
    with pytest.raises(dataclasses.FrozenInstanceError):
        intent.slot = B5  # type: ignore[misc]
    assert dataclasses.replace(intent, slot=B5) == Intent(STOCK_IN, "LT-0103", slot=B5)
    assert (intent.badge, intent.slot, intent.due) == (None, None, None)


def test_the_default_rules_are_an_unconfigured_sites():
    kiosk = KioskConfig()
    assert Rules() == Rules(kiosk.intake, kiosk.loan_days, kiosk.block_overdue)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Rules().intake = "off"  # type: ignore[misc]


def test_by_default_a_kiosk_loan_has_no_due_date_and_overdue_loans_do_not_block(kiosk_db, other_db):
    make_overdue(other_db, "LT-0103", 2)  # out with Alice Ng, 0042
    script = Script(kiosk_db, other_db)
    view = play(
        script,
        [
            ("scan LT-0101", AWAIT_BADGE, {A1: BLINK}, None),
            ("scan BADGE:0042", PREVIEW, {A1: BLINK}, "LT-0103 overdue 2 d"),
        ],
    )
    assert not any(line.startswith("due ") for line in view.screen.lines)


@pytest.mark.parametrize(
    ("first", "pending", "step"),
    [
        (["scan LT-0999"], PREVIEW, "LT-0999 intake is not done"),
        (["scan LT-0101"], AWAIT_BADGE, "LT-0101 stock-out is not done"),
        (["scan LT-0103"], PREVIEW, "LT-0103 stock-in is not done"),
    ],
)
def test_a_pending_step_is_named_when_another_tag_would_replace_it(
    first, pending, step, kiosk_db, other_db
):
    script = Script(kiosk_db, other_db)
    for action in first:
        script.step(action)
    assert script.machine.state == pending
    play(script, [("scan LT-0201", REPLACE, {}, step)])


def test_the_default_intake_proposes_a_slot_and_a_slot_label_moves_it(kiosk_db, other_db):
    script = Script(kiosk_db, other_db)
    play(
        script,
        [
            ("scan LT-0999", PREVIEW, {A4: BLINK}, "into CART-A:4"),
            ("scan SLOT:CART-B:5", PREVIEW, {"CART-B:5": BLINK}, "into CART-B:5"),
        ],
    )
