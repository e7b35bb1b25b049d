"""Demo data for ``make run``: two carts, a few laptops, a few people.

The tags and badges match the barcodes printed in the README, so a person
at a terminal can type them as scans.
"""

from __future__ import annotations

from kiosk.domain import people, slots
from kiosk.domain.custody import StockOut, due_in
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.ports import Store
from kiosk.domain.types import SlotRef

CASES = (("CART-A", 8), ("CART-B", 6))
LAPTOPS = (
    ("LT-0101", "ThinkPad T14 #1", "ThinkPad T14 Gen 4", "CART-A", 1),
    ("LT-0102", "ThinkPad T14 #2", "ThinkPad T14 Gen 4", "CART-A", 2),
    ("LT-0103", "ThinkPad T14 #3", "ThinkPad T14 Gen 4", "CART-A", 3),
    ("LT-0104", "MacBook Air #1", "MacBook Air M2", "CART-A", 5),
    ("LT-0201", "Chromebook #1", "Latitude 3140", "CART-B", 1),
    ("LT-0202", "Chromebook #2", "Latitude 3140", "CART-B", 2),
)
PEOPLE = (("0042", "Alice Ng"), ("0043", "Bob Okafor"), ("0044", "Chen Wei"))
ACTOR = "demo"


def is_empty(db: Store) -> bool:
    with db.read() as conn:
        return not slots.list_cases(conn)


def seed(db: Store) -> None:
    """Fill an empty database with the demo cases, assets and people."""
    for case, count in CASES:
        slots.init_case(db, case, count, actor=ACTOR)
    for badge, name in PEOPLE:
        people.add_person(db, badge, name, actor=ACTOR)
    for tag, name, model, case, pos in LAPTOPS:
        request = AddAsset(tag=tag, name=name, model=model, into=SlotRef(case, pos))
        execute(db, request, actor=ACTOR)
    # One laptop out, so a scan of it demonstrates stock-in.
    execute(db, StockOut("LT-0103", "0042", due=due_in(7)), actor=ACTOR)
