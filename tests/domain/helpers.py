"""Assertions used across the domain tests."""

from __future__ import annotations

import dataclasses
import json

import pytest

from kiosk.domain import assets
from kiosk.domain.custody import STATUS_CHANGES, StockIn, StockOut
from kiosk.domain.intake import AddAsset, UpdateAsset
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.store import events, invariants, replay
from tests.conftest import snapshot

#: Every operation by the name its events carry, for tests that script them by name.
REQUESTS = {
    cls.op: cls for cls in (AddAsset, UpdateAsset, Assign, Move, Vacate, StockOut, StockIn)
} | STATUS_CHANGES


def refused(db, error, match, fn, *args, **kwargs):
    """``fn`` must raise ``error`` matching ``match`` and change no row anywhere."""
    before = snapshot(db)
    with pytest.raises(error, match=match) as info:
        fn(*args, **kwargs)
    assert snapshot(db) == before
    return info.value


def sound(db, *, unlogged=()):
    """Every invariant holds, the event chain verifies and its replay gives the tables.

    ``unlogged``: the rows the replay must name as differing (rows that
    predate the log, in an upgraded file) -- those and no others.
    """
    with db.read() as conn:
        assert invariants.integrity(conn) == []
        assert invariants.violations(conn) == []
        verdict = events.verify(conn)
        differences = replay.compare(conn)[1]
    assert verdict.ok, verdict
    named = [str(d) for d in differences]
    assert named == list(unlogged), named
    return verdict.count


def asset(db, tag):
    """The asset ``tag`` as a fresh read transaction sees it."""
    with db.read() as conn:
        return assets.get(conn, tag)


def last_event(db):
    """The newest event: op, asset, from and to slot, person, and its details decoded."""
    with db.read() as conn:
        *head, details = conn.execute(
            "SELECT op, asset, from_slot, to_slot, person, details FROM events "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return (*head, json.loads(details))


def a_fixed_value(request):
    """``request`` hashes like an equal copy and refuses a change to any of its fields.

    The plan on the kiosk's screen carries its request, and commit plans that
    same request again: it must be the one the person saw.
    """
    assert hash(request) == hash(dataclasses.replace(request))
    for field in dataclasses.fields(request):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(request, field.name, None)
