"""Assertions used across the domain tests."""

from __future__ import annotations

import pytest

from kiosk import events, invariants
from tests.conftest import snapshot


def refused(db, error, match, fn, *args, **kwargs):
    """``fn`` must raise ``error`` matching ``match`` and change no row anywhere."""
    before = snapshot(db)
    with pytest.raises(error, match=match) as info:
        fn(*args, **kwargs)
    assert snapshot(db) == before
    return info.value


def sound(db):
    """Every invariant holds and the event chain verifies."""
    with db.read() as conn:
        assert invariants.integrity(conn) == []
        assert invariants.violations(conn) == []
        verdict = events.verify(conn)
    assert verdict.ok, verdict
    return verdict.count
