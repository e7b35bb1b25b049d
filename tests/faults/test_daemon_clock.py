"""The wall clock steps by hours (a Pi without an RTC meets NTP) while the kiosk runs.

Only ``time.time`` moves (events are stamped from it); ``time.monotonic``
runs on. The kiosk's timeouts and its success hold use the monotonic clock,
so a step forward must not end a step early and a step back must not keep
one alive. The event log is ordered by id and its chain does not involve
time, so ``log verify`` passes when event times go backwards.
"""

from __future__ import annotations

import json
import time

import pytest

from kiosk.cli.main import main
from kiosk.domain.custody import StockOut
from kiosk.domain.operations import execute
from kiosk.store import events
from tests.daemon.helpers import CONFIRM_PIN, looping, press, wait_for
from tests.faults.helpers import brisk_daemon

HOUR = 3600.0
IDLE_TIMEOUT, SUCCESS_HOLD = 3.0, 2.0


class WallClock:
    """``time.time`` with a settable offset in seconds."""

    def __init__(self, monkeypatch):
        self.real, self.offset = time.time, 0.0
        monkeypatch.setattr(time, "time", lambda: self.real() + self.offset)

    def step(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def wall(monkeypatch):
    return WallClock(monkeypatch)


def reach(d, state, timeout=5.0):
    assert wait_for(lambda: d.status()["state"] == state, timeout), (state, d.status())


def stays(d, state, ticks=3):
    """Several main-loop ticks later, ``state`` is still shown."""
    time.sleep(ticks * 0.1)
    assert d.status()["state"] == state


def test_timeouts_ignore_wall_clock_steps_and_log_verifies(
    wall, kiosk_db, other_db, seeded_path, mock_factory, scanner_pty, capsys
):
    d = brisk_daemon(
        kiosk_db, mock_factory, scanner_pty, idle_timeout=IDLE_TIMEOUT, success_hold=SUCCESS_HOLD
    )
    with looping(d):
        # A preview survives a step forward of hours (a wall-clock timer would fire).
        scanner_pty.scan("LT-0103")
        reach(d, "preview")
        wall.step(+6 * HOUR)
        stays(d, "preview")
        # ... and still times out after a step back (a wall-clock timer would wait hours).
        wall.step(-12 * HOUR)
        reach(d, "idle", timeout=IDLE_TIMEOUT + 5)

        # Commit with the wall clock 6 h behind: the success hold is unaffected too.
        scanner_pty.scan("LT-0103")
        reach(d, "preview")
        press(mock_factory, CONFIRM_PIN)
        reach(d, "success")
        wall.step(+9 * HOUR)
        stays(d, "success")
        execute(other_db, StockOut(tag="LT-0201", badge="0044"), actor="cli")  # at +3 h
        wall.step(-14 * HOUR)
        reach(d, "idle", timeout=SUCCESS_HOLD + 5)

        # Another kiosk commit, now 11 h behind the previous event.
        scanner_pty.scan("LT-0101")
        reach(d, "await_badge")
        scanner_pty.scan("BADGE:0043")
        reach(d, "preview")
        press(mock_factory, CONFIRM_PIN)
        reach(d, "success")
        assert d.status()["uptime"] >= 0  # from the monotonic clock

    with other_db.read() as conn:
        log = events.recent(conn, limit=3)
        verdict = events.verify(conn)
    assert [(e.actor, e.op, e.asset) for e in log] == [
        ("kiosk", "stock_in", "LT-0103"),
        ("cli", "stock_out", "LT-0201"),
        ("kiosk", "stock_out", "LT-0101"),
    ]
    times = [e.time for e in log]
    assert times[1] > times[0] > times[2]  # the times went backwards; the ids did not
    assert [e.id for e in log] == sorted(e.id for e in log)
    assert verdict.ok

    capsys.readouterr()
    assert main(["--db", str(seeded_path), "--json", "log", "verify"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["--db", str(seeded_path), "--json", "log", "--limit", "3"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in listed] == [e.id for e in log]  # by id, not by time
