"""Fixtures shared by every test: real SQLite files in a temp directory."""

from __future__ import annotations

import pytest

from kiosk import assets, plans, slots
from kiosk.db import Database
from kiosk.validate import SlotRef

ACTOR = "test"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "assettrack.db"


@pytest.fixture
def db(db_path):
    database = Database(db_path)
    yield database
    database.close()


def add(db, tag, into=None, **fields):
    """Register ``tag`` (optionally into ``into``, a ``"CASE:POS"`` string)."""
    target = None if into is None else SlotRef.parse(into)
    return plans.execute(db, "add", ACTOR, tag=tag, into=target, **fields)


@pytest.fixture
def stocked(db):
    """Two cases, three assets in slots, one unslotted, two people."""
    slots.init_case(db, "A", 4, ACTOR)
    slots.init_case(db, "B", 2, ACTOR)
    add(db, "LT-1", "A:1")
    add(db, "LT-2", "A:2")
    add(db, "LT-3", "B:1")
    add(db, "LT-4")
    assets.add_person(db, "0042", "Alice Ng", ACTOR)
    assets.add_person(db, "0043", "Bob Okafor", ACTOR)
    return db


def snapshot(db):
    """Every row of every table: compare before/after to prove nothing changed."""
    with db.read() as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("slots", "assets", "people", "events")
        }
