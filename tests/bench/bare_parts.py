"""The kiosk's parts wired together with nothing of the kiosk between them.

The baseline its latency targets are ratios to, measured in the same run on
the same machine: the same pty and pyserial, the same SQLite file format with
the same pragmas, the same gpiozero MockFactory pins and their threads, doing
the least the kiosk's step needs and nothing more:

* :class:`BareScanToLed`: a reader thread turns the pty's bytes into a line,
  looks the tag up with one query and lights an LED. The kiosk adds its input
  queue, the classifier, the plan (several queries), the screen and the LED
  pattern.
* :class:`BarePressToCommit`: a Button's ``when_pressed`` runs one
  ``BEGIN IMMEDIATE`` transaction writing the slot, the asset and an event.
  The kiosk adds its queue, re-planning at commit, the hash chain, the head
  record and the success screen.

A slower machine or a burst of load slows both sides alike; only the kiosk's
own work moves the ratio.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import serial
from gpiozero import LED, Button

from tests.daemon.helpers import Pty, timeline, wait_for

WHERE = (
    "SELECT a.tag, a.status, s.case_name, s.slot_position, a.home_case, a.home_pos "
    "FROM assets a LEFT JOIN slots s ON s.current_asset_tag = a.tag WHERE a.tag = ?"
)
PUT = "UPDATE slots SET current_asset_tag = ? WHERE case_name = ? AND slot_position = ?"
CLEAR = "UPDATE slots SET current_asset_tag = NULL WHERE case_name = ? AND slot_position = ?"
STATUS = "UPDATE assets SET status = ?, custodian = ?, due = NULL, updated = ? WHERE tag = ?"
EVENT = (
    "INSERT INTO events VALUES ((SELECT coalesce(max(id), 0) + 1 FROM events), ?, 'bench', ?, ?, "
    "NULL, ?, NULL, '{}', coalesce((SELECT hash FROM events ORDER BY id DESC LIMIT 1), ''), "
    "lower(hex(randomblob(32))))"
)


def first_high_after(pin, t0):
    return next(t for t, level in timeline(pin) if t >= t0 and level)


class BareScanToLed:
    """pty -> pyserial line -> one query -> LED on."""

    def __init__(self, db_path: Path, factory, pin: int) -> None:
        self.pty = Pty()
        self.port = serial.Serial(self.pty.path, timeout=0.05)
        self.conn = sqlite3.connect(db_path, check_same_thread=False)
        self.led = LED(pin, pin_factory=factory)
        self.pin = factory.pin(pin)
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        line = b""
        while not self._stop.is_set():
            line += self.port.read(self.port.in_waiting or 1)
            while b"\r" in line:
                code, _, line = line.partition(b"\r")
                self.conn.execute(WHERE, (code.decode(),)).fetchone()
                self.led.on()

    def measure(self, code: str) -> float:
        """Seconds from the scan's bytes written to the LED's pin going high."""
        self.led.off()
        t0 = time.monotonic()
        self.pty.scan(code)
        if not wait_for(lambda: self.pin.state, 5, 0.0002):
            raise TimeoutError("the bare reader did not light its LED")
        return first_high_after(self.pin, t0) - t0

    def close(self) -> None:
        self._stop.set()
        self._reader.join(5)
        self.port.close()
        self.pty.close()
        self.led.close()
        self.conn.close()


class BarePressToCommit:
    """Button pin low -> ``when_pressed`` -> one write transaction, alternately in and out."""

    def __init__(self, db_path: Path, factory, pin: int, tag: str, slot, badge: str) -> None:
        self.conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.tag, self.slot, self.badge = tag, slot, badge
        self.commits, self.committed_at = 0, 0.0
        self.factory, self.pin = factory, pin
        self.button = Button(pin, pin_factory=factory, bounce_time=None)
        self.button.when_pressed = self._commit

    def _commit(self) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        going_in = self.commits % 2 == 0
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        # In the order the schema's triggers demand, as the kiosk writes them.
        if going_in:
            c.execute(STATUS, ("IN_STOCK", None, now, self.tag))
            c.execute(PUT, (self.tag, *self.slot))
        else:
            c.execute(CLEAR, self.slot)
            c.execute(STATUS, ("IN_CUSTODY", self.badge, now, self.tag))
        c.execute(EVENT, (now, "stock_in" if going_in else "stock_out", self.tag, "x"))
        c.execute("COMMIT")
        self.committed_at = time.monotonic()
        self.commits += 1

    def measure(self) -> float:
        """Seconds from the button's pin going low to the commit returning."""
        before = self.commits
        t0 = time.monotonic()
        self.factory.pin(self.pin).drive_low()
        if not wait_for(lambda: self.commits > before, 5, 0.0002):
            raise TimeoutError("the bare button did not commit")
        self.factory.pin(self.pin).drive_high()
        return self.committed_at - t0

    def close(self) -> None:
        self.button.close()
        self.conn.close()
