"""``slot move`` into the home of a laptop out on loan: a hard stop naming the loan.

In the demo room LT-0103 (home CART-A:3) is out with Alice Ng (0042).
"""

from __future__ import annotations


def test_refused_naming_the_loan_and_nothing_changes(seeded):
    run = seeded("slot", "move", "LT-0101", "CART-A", "3")
    assert run.code == 3
    assert "CART-A:3 is the home of LT-0103, out with Alice Ng (0042)" in run.err
    assert "--force" in run.err
    assert seeded("where", "LT-0101", json=True).doc["slot"] == "CART-A:1"


def test_force_moves_and_the_event_records_it(seeded):
    run = seeded("slot", "move", "LT-0101", "CART-A", "3", "--force", json=True)
    assert run.code == 0 and run.doc["to"] == "CART-A:3"
    last = seeded("log", "--asset", "LT-0101", "--limit", "1", json=True).doc[0]
    assert last["op"] == "move"
    assert last["details"]["forced"] == "home of LT-0103, out with Alice Ng (0042)"
    assert seeded("log", "verify").code == 0


def test_a_free_slot_is_still_a_plain_move(seeded):
    assert seeded("slot", "move", "LT-0101", "CART-A", "6").code == 0
