"""A kiosk's day: mixed operations of every kind, chosen at random but reproducibly."""

from __future__ import annotations

import datetime as dt
import random

from kiosk.domain import people, slots
from kiosk.domain.custody import MarkFound, MarkLost, Repair, Retire, StockIn, StockOut
from kiosk.domain.intake import AddAsset, UpdateAsset
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, InvalidInput, NotFound
from kiosk.store.db import Database

ACTOR = "tester"


def setup(
    db: Database, *, prefix: str = "LT", cases: int = 2, size: int = 8, assets: int = 10
) -> list[str]:
    """Cases, people and slotted assets to work with; returns the tags."""
    for c in range(cases):
        slots.init_case(db, f"C{c}", size, actor=ACTOR)
    for badge, name in (("0042", "Alice Ng"), ("0043", "Bob Okafor"), ("0044", "Chen Li")):
        people.add_person(db, badge, name, actor=ACTOR)
    tags = [f"{prefix}-{i:04d}" for i in range(assets)]
    for tag in tags:
        execute(db, AddAsset(tag=tag, name=f"Laptop {tag}", into="auto"), actor=ACTOR)
    return tags


def _free(db: Database, rng: random.Random) -> SlotRef | None:
    with db.read() as conn:
        free = [ref for ref, tag in slots.list_slots(conn) if tag is None]
    return rng.choice(free) if free else None


def step(
    db: Database, rng: random.Random, tags: list[str], serial: list[int], prefix: str = "LT"
) -> bool:
    """One operation; True when it was committed (refusals are part of a day too)."""
    tag = rng.choice(tags)
    kind = rng.randrange(12)
    try:
        if kind == 0:
            serial[0] += 1
            new = f"{prefix}-N{serial[0]:04d}"
            execute(db, AddAsset(tag=new, into="auto"), actor=ACTOR)
            tags.append(new)
        elif kind in (1, 2):
            days = rng.choice((0, 3, 7, None))
            due = None if days is None else _due(days)
            execute(db, StockOut(tag, rng.choice(("0042", "0043", "0044")), due), actor=ACTOR)
        elif kind in (3, 4):
            execute(db, StockIn(tag), actor=ACTOR)
        elif kind == 5:
            target = _free(db, rng)
            if target is not None:
                execute(db, Move(tag, target), actor=ACTOR)
        elif kind == 6:
            execute(db, Vacate(tag=tag), actor=ACTOR)
        elif kind == 7:
            target = _free(db, rng)
            if target is not None:
                execute(db, Assign(tag, target), actor=ACTOR)
        elif kind == 8:
            execute(db, rng.choice((Repair, MarkLost))(tag), actor=ACTOR)
        elif kind == 9:
            execute(db, MarkFound(tag), actor=ACTOR)
        elif kind == 10:
            execute(db, UpdateAsset(tag=tag, name=f"renamed {rng.randrange(1000)}"), actor=ACTOR)
        else:
            if rng.random() < 0.2:
                execute(db, Retire(tag), actor=ACTOR)
            else:
                execute(db, StockIn(tag, _free(db, rng)), actor=ACTOR)
    except (HardStop, NotFound, InvalidInput):
        return False
    return True


def _due(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def day(db: Database, seed: int, operations: int, prefix: str = "LT") -> list[str]:
    """Set up and run ``operations`` attempts; returns every tag the kiosk knows."""
    rng = random.Random(seed)
    tags = setup(db, prefix=prefix)
    serial = [0]
    for _ in range(operations):
        step(db, rng, tags, serial, prefix)
    return tags
