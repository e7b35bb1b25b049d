"""Fixtures shared by every test: real SQLite files in a temp directory."""

from __future__ import annotations

import shlex
import sqlite3

import pytest

from kiosk.domain import people, slots
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.types import SlotRef
from kiosk.store.db import Database

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
    return execute(db, AddAsset(tag=tag, into=target, **fields), actor=ACTOR)


@pytest.fixture
def stocked(db):
    """Two cases, three assets in slots, one unslotted, two people."""
    slots.init_case(db, "A", 4, actor=ACTOR)
    slots.init_case(db, "B", 2, actor=ACTOR)
    add(db, "LT-1", "A:1")
    add(db, "LT-2", "A:2")
    add(db, "LT-3", "B:1")
    add(db, "LT-4")
    people.add_person(db, "0042", "Alice Ng", actor=ACTOR)
    people.add_person(db, "0043", "Bob Okafor", actor=ACTOR)
    return db


def snapshot(db):
    """Every row of every table: compare before/after to prove nothing changed."""
    with db.read() as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("slots", "assets", "people", "events")
        }


#: Skip reasons that mean "this run was not privileged enough", not "not applicable".
ROOT_ONLY = "needs root"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say once, plainly, which tests an ordinary user's run did not cover and how to run them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if ROOT_ONLY in _skip_reason(report)
    ]
    if not skipped:
        return
    write = terminalreporter.write_line
    terminalreporter.section("not covered: needs root", sep="-", yellow=True)
    write(
        f"{len(skipped)} tests did not run: they mount a small tmpfs (full disk, read-only "
        "file system) or run the daemon as another user, which only root may do."
    )
    for report in skipped:
        write(f"  {report.nodeid}")
    ids = " ".join(shlex.quote(report.nodeid) for report in skipped)
    write(f"Run them as root: sudo .venv/bin/python -m pytest {ids}")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def tamper(path, *statements):
    """Run ``statements`` on the file as a person with the sqlite3 shell would: no checks."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for statement in statements:
        conn.execute(statement)
    conn.close()
