"""The daemon in-process on gpiozero MockFactory pins, with a pty as its scanner.

These check what a person would see on the real wiring: the pin of the slot
LED, the ready and conflict LEDs, driven by bytes from a serial port and by
the Confirm button's pin.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from kiosk.daemon.loop import serve
from kiosk.domain import assets
from kiosk.domain.custody import Retire, StockIn
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.types import SlotRef
from tests.daemon.helpers import (
    CONFIRM_PIN,
    CONFLICT_PIN,
    READY_PIN,
    SLOT_PINS,
    make_daemon,
    press,
    wait_for,
)

A1, A3 = SLOT_PINS["CART-A:1"], SLOT_PINS["CART-A:3"]


def blinking(factory, pin) -> bool:
    """A pin toggles on its own: gpiozero's blink thread drives it."""
    seen = {factory.pin(pin).state}
    deadline = time.monotonic() + 30  # ends a hang; a blinking pin answers in ~0.5 s
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
        seen.add(factory.pin(pin).state)
    return len(seen) == 2


def lit(factory) -> set[str]:
    return {slot for slot, pin in SLOT_PINS.items() if factory.pin(pin).state}


def test_stock_out_on_the_pins(daemon, mock_factory, scanner_pty, kiosk_db):
    f = mock_factory
    assert lit(f) == set() and f.pin(READY_PIN).state and not f.pin(CONFLICT_PIN).state
    scanner_pty.scan("LT-0101")
    assert daemon.handle_pending(wait=3) == 1
    assert daemon.machine.state == "await_badge"
    assert blinking(f, A1)
    assert daemon.hw.leds.states()["CART-A:1"] == "blink"
    scanner_pty.scan("BADGE:0042")
    daemon.handle_pending(wait=3)
    assert daemon.machine.state == "preview"
    press(f, CONFIRM_PIN)
    daemon.handle_pending(wait=3)
    assert daemon.machine.state == "success"
    assert wait_for(lambda: not f.pin(A1).state)
    assert lit(f) == set()
    with kiosk_db.read() as conn:
        asset = assets.get(conn, "LT-0101")
    assert (asset.status, asset.custodian, asset.slot) == ("IN_CUSTODY", "0042", None)


def test_conflict_lights_the_conflict_led_only(daemon, mock_factory, scanner_pty, other_db):
    execute(other_db, Retire(tag="LT-0102"), actor="cli")
    daemon.tick(time.monotonic())
    scanner_pty.scan("LT-0102")
    daemon.handle_pending(wait=3)
    assert daemon.machine.state == "conflict"
    f = mock_factory
    assert f.pin(CONFLICT_PIN).state and not f.pin(READY_PIN).state
    assert lit(f) == set()


def test_cli_commit_moves_the_led_within_one_tick(daemon, mock_factory, scanner_pty, other_db):
    scanner_pty.scan("LT-0999")  # intake: CART-A:3 is LT-0103's home, so CART-A:4
    daemon.handle_pending(wait=3)
    assert daemon.hw.leds.states()["CART-A:4"] == "blink"
    execute(other_db, AddAsset(tag="LT-0950", into=SlotRef("CART-A", 4)), actor="cli")
    daemon.tick(time.monotonic())  # one tick, nothing else
    states = daemon.hw.leds.states()
    assert states["CART-A:4"] == "off" and states["CART-A:6"] == "blink"
    assert not mock_factory.pin(SLOT_PINS["CART-A:4"]).state
    assert blinking(mock_factory, SLOT_PINS["CART-A:6"])
    assert "Changed meanwhile" in daemon.display_lines()


def test_confirm_after_a_cli_change_is_a_hard_stop(daemon, mock_factory, scanner_pty, other_db):
    scanner_pty.scan("LT-0103")
    daemon.handle_pending(wait=3)
    # The CLI stocks it in elsewhere before the kiosk's next tick, then Confirm.
    execute(other_db, StockIn(tag="LT-0103", slot=SlotRef("CART-B", 3)), actor="cli")
    press(mock_factory, CONFIRM_PIN)
    daemon.handle_pending(wait=3)
    assert daemon.machine.state == "conflict"
    assert lit(mock_factory) == set()
    with other_db.read() as conn:
        assert str(assets.get(conn, "LT-0103").slot) == "CART-B:3"


def test_sigterm_during_a_preview(kiosk_db, mock_factory, scanner_pty):
    d = make_daemon(kiosk_db, mock_factory, scanner_pty)
    seen = {}

    def drive():
        wait_for(lambda: d.hw is not None and d.hw.scanner.connected)
        scanner_pty.scan("LT-0103")
        wait_for(lambda: d.machine is not None and d.machine.state == "preview")
        seen["blinking"] = d.hw.leds.states()["CART-A:3"]
        seen["signalled"] = True
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=drive, daemon=True).start()
    assert serve(d) == 0
    # Order, not speed: the signal came during the preview and serve() ended on it.
    assert seen.get("signalled")
    assert seen["blinking"] == "blink"
    assert lit(mock_factory) == set()
    assert not mock_factory.pin(READY_PIN).state and not mock_factory.pin(CONFLICT_PIN).state
    assert d.display_lines() == []
    with kiosk_db.read() as conn:
        assert assets.get(conn, "LT-0103").status == "IN_CUSTODY"
        assert conn.execute("SELECT count(*) FROM events WHERE actor='kiosk'").fetchone()[0] == 0
