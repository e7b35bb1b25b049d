"""Building a daemon on gpiozero MockFactory pins with a pty as its scanner."""

from __future__ import annotations

import contextlib
import os
import pty
import threading
import tty

from kiosk.config.settings import parse_config
from kiosk.daemon.loop import Daemon, Options
from tests.hw.helpers import timeline, wait_for  # noqa: F401 - re-exported for the tests

CONFIRM_PIN, CANCEL_PIN = 17, 27
READY_PIN, CONFLICT_PIN = 5, 6
# One GPIO per demo slot, avoiding the buttons' and status LEDs' pins.
SLOT_PINS = dict(
    zip(
        [f"CART-A:{i}" for i in range(1, 9)] + [f"CART-B:{i}" for i in range(1, 7)],
        [4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20],
        strict=True,
    )
)


def gpio_config(*, bounce_time=0.05, duplicate_window=1.0, idle_timeout=30, success_hold=3):
    """A config driving real gpiozero devices: GPIO slot LEDs and buttons."""
    slots = "\n".join(f'"{slot}" = {pin}' for slot, pin in SLOT_PINS.items())
    return parse_config(
        f"""
[kiosk]
idle_timeout = {idle_timeout}
success_hold = {success_hold}
[scanner]
backend = "serial"
port = "/dev/null"
duplicate_window = {duplicate_window}
terminator_timeout = 0.05
[leds]
backend = "gpio"
[leds.status]
ready = {READY_PIN}
conflict = {CONFLICT_PIN}
[leds.slots]
{slots}
[buttons]
backend = "gpio"
confirm = {CONFIRM_PIN}
cancel = {CANCEL_PIN}
bounce_time = {bounce_time}
"""
    )


class Pty:
    """A pseudo-terminal: the daemon opens ``path``, the test writes scans to ``master``."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)  # no echo or CR translation before pyserial opens it
        self.path = os.ttyname(self.slave)

    def scan(self, code: str) -> None:
        self.write(code.encode() + b"\r")

    def write(self, data: bytes) -> None:
        """Raw bytes, as a scanner (or something posing as one) sends them."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def close(self):
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def make_daemon(db, factory, scanner: Pty, socket_path=None, **config_kw) -> Daemon:
    options = Options(scanner_port=scanner.path, socket_path=socket_path, pin_factory=factory)
    return Daemon(gpio_config(**config_kw), db, options)


def press(factory, pin: int) -> None:
    """Press and release a button wired to GND (pull-up: pressed is low)."""
    factory.pin(pin).drive_low()
    factory.pin(pin).drive_high()


@contextlib.contextmanager
def looping(d):
    """Run started daemon ``d``'s main loop on a thread, as ``serve`` does; close it after."""
    thread = threading.Thread(target=d.run, name="main-loop", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        d.stop()
        thread.join(5)
        d.close()
