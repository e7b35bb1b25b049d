"""The OLED browns out (errno 121 on every write) while people keep using the kiosk.

The panel is luma's real dummy device with writes failing on demand (the
FlakyDevice of the display tests). During the outage scans must still light
the right slot LEDs and Confirm must still commit; once the panel answers
again it must show the kiosk's current screen, pixel for pixel.
"""

from __future__ import annotations

import errno
import time

import kiosk.daemon.wiring
from hw.display import DevicePanel
from kiosk.domain import assets
from kiosk.flow.panel import render
from tests.daemon.helpers import CONFIRM_PIN, SLOT_PINS, looping, press, wait_for
from tests.faults.helpers import brisk_daemon
from tests.hw.test_display import FlakyDevice, same_pixels

OUTAGE = 1.5  # seconds with every write failing, at least


def reach(d, state):
    assert wait_for(lambda: d.status()["state"] == state, 5), (state, d.status())


def test_scans_leds_and_commits_carry_on_while_the_display_fails(
    kiosk_db, other_db, mock_factory, scanner_pty, monkeypatch
):
    panel = FlakyDevice(0, OSError(errno.EREMOTEIO, "Remote I/O error"))
    monkeypatch.setattr(kiosk.daemon.wiring, "dummy_panel", lambda **kw: DevicePanel(lambda: panel))
    d = brisk_daemon(kiosk_db, mock_factory, scanner_pty, success_hold=60)
    display = d.hw.display
    with looping(d):
        assert display.wait_drawn() and display.healthy

        panel.failures = 10**9  # from now on every write raises OSError 121
        failed_from = panel.calls
        outage_started = time.monotonic()
        scanner_pty.scan("LT-0103")  # stock-in: home slot blinks
        reach(d, "preview")
        assert wait_for(lambda: not display.healthy)
        assert d.status()["display_ok"] is False  # the technician is told
        assert d.hw.leds.states()["CART-A:3"] == "blink"
        press(mock_factory, CONFIRM_PIN)
        reach(d, "success")
        assert mock_factory.pin(SLOT_PINS["CART-A:3"]).state  # steady on: put it here

        scanner_pty.scan("LT-0101")  # stock-out: its slot blinks, then goes out
        reach(d, "await_badge")
        assert d.hw.leds.states()["CART-A:1"] == "blink"
        scanner_pty.scan("BADGE:0043")
        reach(d, "preview")
        press(mock_factory, CONFIRM_PIN)
        reach(d, "success")
        assert wait_for(lambda: not mock_factory.pin(SLOT_PINS["CART-A:1"]).state)
        # status still answers, with what the panel is meant to show
        assert d.status()["display"][:2] == ["Done", "LT-0101 -> Bob Okafor"]

        time.sleep(max(OUTAGE - (time.monotonic() - outage_started), 0))
        failed_writes = panel.calls - failed_from
        assert failed_writes >= 3 and not display.healthy

        panel.failures = 0  # the panel answers again
        assert wait_for(lambda: display.healthy, 10)
        assert display.wait_drawn(5)
        assert same_pixels(panel.image, render(d.machine.view.screen))
        assert d.status()["display_ok"] is True
        assert d.machine.state == "success"
    with other_db.read() as conn:
        back, out = assets.get(conn, "LT-0103"), assets.get(conn, "LT-0101")
    assert (back.status, str(back.slot)) == ("IN_STOCK", "CART-A:3")
    assert (out.status, out.custodian) == ("IN_CUSTODY", "0043")
    print(f"\ndisplay outage: {failed_writes} failed writes, 2 commits during it")
