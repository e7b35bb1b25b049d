"""Storage faults under the running kiosk: a full disk, a write lock held elsewhere.

The daemon runs its real main loop on MockFactory pins with a pty scanner.
Confirm must end in a clear hard stop on the OLED with nothing written, and
the same daemon (never restarted) must commit normally once the cause goes away.
"""

from __future__ import annotations

import time

from kiosk.domain import assets
from kiosk.ops import demo
from kiosk.store.db import Database
from tests.conftest import snapshot
from tests.daemon.helpers import CONFIRM_PIN, SLOT_PINS, looping, press, wait_for
from tests.domain.helpers import sound
from tests.faults.helpers import brisk_daemon, fill_disk, hold_lock, small_tmpfs

BUSY_TIMEOUT = 0.3


def reach(d, state, timeout=5.0):
    """Wait until ``state`` is on the hardware (status reports what was applied)."""
    assert wait_for(lambda: d.status()["state"] == state, timeout), (state, d.status())


def stock_in_preview(d, pty):
    """Scan LT-0103 (out with Alice): its home CART-A:3 blinks, Confirm is awaited."""
    pty.scan("LT-0103")
    reach(d, "preview")
    assert d.hw.leds.states()["CART-A:3"] == "blink"


def lit(d):
    return {slot for slot, state in d.hw.leds.states().items() if state != "off"}


def kiosk_events(db) -> int:
    with db.read() as conn:
        return conn.execute("SELECT count(*) FROM events WHERE actor = 'kiosk'").fetchone()[0]


def refused_on_screen(d, factory, title, words):
    """Confirm is refused: a conflict screen with ``title`` and ``words``, no slot LED lit."""
    press(factory, CONFIRM_PIN)
    reach(d, "conflict", timeout=10)
    lines = d.display_lines()
    assert lines[0] == title, lines
    assert words in " ".join(lines[1:]), lines
    assert "locked" not in " ".join(lines)  # SQLite's own words never reach the person
    assert lit(d) == set()
    assert d.hw.leds.status_states() == {"ready": "off", "conflict": "on"}
    assert not factory.pin(SLOT_PINS["CART-A:3"]).state


def test_disk_full_at_confirm_then_space_returns(tmp_path, mock_factory, scanner_pty):
    with small_tmpfs(tmp_path) as mnt:
        path = mnt / "assettrack.db"
        with Database(path) as db:
            demo.seed(db)
        kiosk_db, other = Database(path), Database(path)
        d = brisk_daemon(kiosk_db, mock_factory, scanner_pty)
        try:
            with looping(d):
                stock_in_preview(d, scanner_pty)
                # An empty WAL, then a full disk: the commit's frames have nowhere to go.
                other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                filler = fill_disk(mnt)
                before = snapshot(other)
                refused_on_screen(d, mock_factory, "Storage full", "storage full")
                assert snapshot(other) == before
                sound(other)

                # Space comes back; the same daemon takes the same step again.
                filler.unlink()
                stock_in_preview(d, scanner_pty)
                press(mock_factory, CONFIRM_PIN)
                reach(d, "success")
                assert lit(d) == {"CART-A:3"}
            with other.read() as conn:
                asset = assets.get(conn, "LT-0103")
            assert (asset.status, str(asset.slot)) == ("IN_STOCK", "CART-A:3")
            assert kiosk_events(other) == 1
            sound(other)
        finally:
            kiosk_db.close()
            other.close()


def test_lock_held_elsewhere_busy_then_one_commit(seeded_path, mock_factory, scanner_pty):
    kiosk_db = Database(seeded_path, busy_timeout=BUSY_TIMEOUT)
    other = Database(seeded_path)
    d = brisk_daemon(kiosk_db, mock_factory, scanner_pty)
    holder = None
    try:
        with looping(d) as loop:
            stock_in_preview(d, scanner_pty)
            holder = hold_lock(seeded_path)
            before = snapshot(other)
            started_at = time.monotonic()
            refused_on_screen(d, mock_factory, "Busy, try again", "try again")
            # It waited for the lock (SQLite's busy handler) before giving up.
            assert time.monotonic() - started_at >= BUSY_TIMEOUT / 2
            assert snapshot(other) == before
            # A second press on the refusal does nothing: there is no plan left.
            press(mock_factory, CONFIRM_PIN)
            time.sleep(0.2)
            assert d.machine.state == "conflict" and loop.is_alive()

            holder.communicate("\n", timeout=10)
            stock_in_preview(d, scanner_pty)  # the retry, after the lock is gone
            press(mock_factory, CONFIRM_PIN)
            reach(d, "success")
            press(mock_factory, CONFIRM_PIN)  # a bounce after success commits nothing
            time.sleep(0.2)
        assert kiosk_events(other) == 1
        with other.read() as conn:
            assert assets.get(conn, "LT-0103").status == "IN_STOCK"
        sound(other)
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
            holder.wait()
        kiosk_db.close()
        other.close()
