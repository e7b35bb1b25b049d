"""The daemon writes the log's head to its journal: at start and after each commit.

The journal is a copy of the head that the database file's owner cannot
rewrite along with the events table (see SECURITY.md, "The event log").
"""

from __future__ import annotations

import signal
import threading

from kiosk.store import heads
from kiosk.store.db import Database
from tests.daemon.helpers import wait_for
from tests.daemon.test_end_to_end import cli, spawn, until_state


def _head_of(path):
    with Database(path) as db:
        return db.current_head()


def _drain(kiosk, stop):
    """Read the notify socket all along: a full one holds the daemon's next send."""
    while not stop.is_set():
        kiosk.systemd.receive()
        stop.wait(0.05)


def _ready(kiosk):
    return any("READY=1" in m.splitlines() for m in list(kiosk.systemd.messages))


def test_the_journal_holds_every_head(seeded_path, short_tmp):
    at_start = _head_of(seeded_path)
    kiosk = spawn(seeded_path, short_tmp)
    stop = threading.Event()
    reader = threading.Thread(target=_drain, args=(kiosk, stop), daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: _ready(kiosk) or kiosk.poll() is not None, 10)
        cli(kiosk, "inject", "scan", "LT-0101")
        cli(kiosk, "inject", "scan", "BADGE:0043")
        until_state(kiosk, "preview")
        assert cli(kiosk, "inject", "press", "confirm")["state"] == "success"
        after = _head_of(seeded_path)
        assert after.id == at_start.id + 1
        assert heads.read(seeded_path) == after  # and the file beside the database
        kiosk.send_signal(signal.SIGTERM)
        _, err = kiosk.communicate(timeout=10)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.communicate()
        stop.set()
        reader.join()
        kiosk.systemd.close()
    assert f"log head {at_start}" in err
    assert f"log head {after}" in err
