"""The daemon writes the log's head to its journal: at start and after each commit.

The journal is a copy of the head that the database file's owner cannot
rewrite along with the events table (see SECURITY.md, "The event log").
"""

from __future__ import annotations

import signal

from kiosk.store import heads
from kiosk.store.db import Database
from tests.daemon.helpers import wait_for
from tests.daemon.test_end_to_end import cli, spawn, until_state


def _head_of(path):
    with Database(path) as db:
        return db.current_head()


def test_the_journal_holds_every_head(seeded_path, short_tmp):
    at_start = _head_of(seeded_path)
    kiosk = spawn(seeded_path, short_tmp)
    try:
        assert wait_for(lambda: "READY=1" in kiosk.systemd.lines() or kiosk.poll() is not None, 10)
        cli(kiosk, "inject", "scan", "LT-0101")
        cli(kiosk, "inject", "scan", "BADGE:0043")
        until_state(kiosk, "preview")
        assert cli(kiosk, "inject", "press", "confirm")["state"] == "success"
        after = _head_of(seeded_path)
        assert after.id == at_start.id + 1
        assert heads.read(seeded_path) == after  # and the file beside the database
        kiosk.send_signal(signal.SIGTERM)
        # Keep reading the notify socket while it stops (its watchdog pings fill it).
        assert wait_for(lambda: kiosk.systemd.lines() is not None and kiosk.poll() is not None, 10)
        _, err = kiosk.communicate(timeout=10)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.communicate()
        kiosk.systemd.close()
    assert f"log head {at_start}" in err
    assert f"log head {after}" in err
