"""The kiosk daemon: one main loop that owns the database and the state machine.

Threads and the one queue::

    scanner reader  --scan-->   \\
    gpiozero events --press-->   +--> inbox (bounded) ------> main loop
    control socket  --request-> /                              |  owns the DB connection,
    terminal keys   --scan/press                               |  the Interaction, the LEDs
                                                               v
                               LEDs first, then the display worker (non-blocking)

Only the main loop touches the database and the state machine, so neither
needs a lock, and a scan is handled as soon as it is queued: the loop
blocks on the queue, not on a timer. The queue (:mod:`kiosk.daemon.inbox`)
is bounded, drops and counts a flood, and lets a stop request jump any
backlog. Between events the loop *ticks* every
:data:`TICK` seconds: timeouts, the ``PRAGMA data_version`` poll that notices
a CLI commit (the LEDs follow within one tick), the watchdog ping and the
systemd status line.

The scan path does one read transaction (the preview) and sets the LEDs;
the screen is drawn into a frame here (a pure function, :mod:`kiosk.flow.panel`)
and the display pushes it to the panel on its own thread. The one fsync of a kiosk step is the
commit after Confirm.

Stopping (SIGTERM, SIGINT or :meth:`Daemon.stop`): the event being handled
finishes (a commit is atomic either way), a pending preview is dropped
with nothing written, LEDs go off, the display is cleared, the socket is
removed.

The database file (:mod:`kiosk.daemon.guard`): one kiosk per file, under
an advisory lock taken at start. Before every scan or press, after every
commit and on every tick the loop checks that the path still leads to the
file it opened; if it was deleted or replaced the kiosk refuses the step,
shows "Storage error" on the OLED (and keeps it there), logs one line and
stops with :class:`~kiosk.daemon.guard.DatabaseMoved`.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config.settings import Config
from kiosk.daemon.control import INJECT_FINISH, INJECT_WAIT
from kiosk.daemon.control_server import ControlServer
from kiosk.daemon.guard import DatabaseMoved, FileIdentity, KioskLock
from kiosk.daemon.inbox import Inbox, Input
from kiosk.daemon.notify import Notifier
from kiosk.daemon.wiring import (
    Hardware,
    build_hardware,
    build_interaction,
    follow_slots,
    vet_scan,
)
from kiosk.domain import slots
from kiosk.errors import KioskError
from kiosk.flow import panel, wording
from kiosk.flow.db_port import DbPort, settle
from kiosk.flow.interaction import IDLE, Interaction, View
from kiosk.flow.screen import Screen
from kiosk.sanitize import clean
from kiosk.store.db import Database

log = logging.getLogger(__name__)

TICK = 0.1


@dataclass
class Options:
    """How to run: from ``assettrack run``'s arguments and the config."""

    sim: bool = False
    scanner_port: str | None = None
    socket_path: Path | None = None
    #: gpiozero pin factory (MockFactory in tests); None lets gpiozero choose.
    pin_factory: Any = None
    actor: str = "kiosk"


class Daemon:
    """The running kiosk. :meth:`start`, then :meth:`run` until :meth:`stop`."""

    def __init__(
        self,
        config: Config,
        db: Database,
        options: Options,
        *,
        notifier: Notifier | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.db = db
        self.options = options
        self.notifier = notifier or Notifier()
        self.clock = clock
        self.inbox = Inbox()
        self.port = DbPort(db)
        self.hw: Hardware | None = None
        self.machine: Interaction | None = None
        self.control: ControlServer | None = None
        self.on_frame: Callable[[], None] | None = None  # the terminal view, if any
        self.started = clock()
        self.scanner_connected = False
        self._slot_names: list[str] = []
        self._unlit: list[str] = []  # slots in the database with no LED
        self._shown: View | None = None
        self._screen: Screen | None = None  # what the panel shows (or will, once it answers)
        self._version = 0
        self._counts: dict[str, int] = {}
        self._stopping = False
        self._ready = False  # READY=1 sent: a failed start says nothing but its error
        self._lock: KioskLock | None = None
        self._identity: FileIdentity | None = None
        #: Why the kiosk stopped for its database file ("" when it did not).
        self.fault = ""

    # -- producers (any thread) -------------------------------------------------

    def put(self, kind: str, value: str = "", done: threading.Event | None = None) -> Input | None:
        """Queue an event for the main loop (any thread); None when the inbox is full."""
        return self.inbox.put(kind, value, done)

    def on_scan(self, code: str) -> None:
        self.put("scan", code)

    def press(self, button: str) -> None:
        self.put("press", button)

    def stop(self) -> None:
        """Ask the main loop to finish, ahead of any backlog (signal handlers, other threads)."""
        self.inbox.ask_stop()

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Bring up hardware, the state machine and the socket; then READY=1."""
        if self.db.path is not None:
            self._lock = KioskLock(self.db.path).acquire()
            self._identity = FileIdentity(self.db.path)
        with self.db.read() as conn:
            self._slot_names = [str(ref) for ref, _ in slots.list_slots(conn)]
        self.hw = hw = self._hardware()
        try:
            self.machine = build_interaction(self.config, self.port, now=self.clock())
            self._version = self.db.data_version()
            self._counts = dict(self.port.summary())
            self._note_unlit()
            self._apply(self.machine.view)
            hw.scanner.start()
            if self.options.socket_path is not None:
                self.control = ControlServer(self.options.socket_path, self.handle_request)
                self.control.start()
        except BaseException:
            hw.close()
            self.hw = None
            raise
        if self.db.journal_mode != "wal":
            log.warning("database %s is in %s mode, not WAL", self.db.path, self.db.journal_mode)
        log.info(
            "kiosk ready: %d slots, database %s, log head %s",
            len(self._slot_names),
            self.db.path,
            self.db.current_head(),
        )
        self.notifier.ready(self.status_line())
        self._ready = True

    def _hardware(self) -> Hardware:
        return build_hardware(
            self.config,
            sim=self.options.sim,
            slots=self._slot_names,
            scanner_port=self.options.scanner_port,
            pin_factory=self.options.pin_factory,
            on_scan=self.on_scan,
            on_scanner_status=lambda status: self.put("scanner", status),
            on_confirm=lambda: self.press("confirm"),
            on_cancel=lambda: self.press("cancel"),
            on_long_cancel=lambda: self.press("cancel"),
        )

    def run(self) -> None:
        """The main loop: handle events as they come, tick between them, until stopped."""
        next_tick = self.clock()
        while not self._stopping:
            self.handle_pending(max(next_tick - self.clock(), 0.0))
            now = self.clock()
            if now >= next_tick:
                self.tick(now)
                next_tick = now + TICK

    def handle_pending(self, wait: float = 0.0) -> int:
        """Handle every queued event, waiting up to ``wait`` s for the first; returns how many."""
        handled = 0
        while not self._stopping:
            event = self.inbox.get(wait)
            if event is None:
                break
            self._handle(event)
            handled, wait = handled + 1, 0.0
        return handled

    def close(self) -> None:
        """LEDs off, display cleared, socket removed. Safe after a failed start.

        After a storage fault the panel keeps its "Storage error": the next
        person to walk up must see why the kiosk does not answer.
        """
        if self._ready:
            self.notifier.stopping()
        if self.control is not None:
            self.control.stop()
        if self.hw is not None:
            try:
                self.hw.leds.all_off()
                if not self.fault:
                    self.hw.display.clear()
                    self._screen = None
            finally:
                self.hw.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self.notifier.close()
        if self._ready:
            log.info("kiosk stopped")

    # -- the main loop's work ------------------------------------------------------

    def _handle(self, event: Input) -> None:
        machine = self.machine
        if machine is None:
            return
        now = self.clock()
        if event.kind in ("scan", "press") and self._file_lost():
            if event.done is not None:
                event.done.set()
            return
        try:
            if event.kind == "scan":
                log.info("scan %s", clean(event.value))
                committed = settle(machine, self.port, machine.scan(event.value, now), now=now)
            elif event.kind == "press":
                log.info("button %s", event.value)
                committed = False
                if event.value == "confirm":
                    committed = settle(machine, self.port, machine.confirm(now), now=now)
                else:
                    machine.cancel(now)
            elif event.kind == "scanner":
                self.scanner_connected = event.value == "connected"
                committed = False
            elif event.kind == "stop":
                self._stopping = True
                self.notifier.stopping()
                return
            else:
                committed = False
            if committed and self._file_lost():
                return  # committed to a file no one will open again: never "Done"
            if committed:
                self._counts = dict(self.port.summary())
                # The journal keeps every head: a copy of the tail beyond this file's reach.
                log.info("log head %s", self.db.current_head())
            self._apply(machine.view)
        except Exception:
            # A bug must not take the kiosk down: drop the step, show idle, go on.
            log.exception("handling %s failed; back to idle", event.kind)
            machine.cancel(now)
            self._apply(machine.view)
        finally:
            if event.done is not None:
                event.done.set()

    def tick(self, now: float) -> None:
        """Timeouts, the data_version poll, the watchdog and the status line."""
        machine = self.machine
        if machine is None or self._file_lost():
            return
        try:
            version = self.db.data_version()
            if version != self._version:
                self._version = version
                log.info("database changed by another process; refreshing")
                self._follow_cases()
                machine.refresh(now)
                self._counts = dict(self.port.summary())
            machine.tick(now)
            self._apply(machine.view)
        except KioskError as exc:
            log.warning("tick: %s", exc)
        self.inbox.report_drops(now)
        self.notifier.watchdog(now)
        self.notifier.status(self.status_line())
        if self.on_frame is not None:
            self.on_frame()

    def _file_lost(self) -> bool:
        """True (and the kiosk stopping, the OLED saying why) if the database file moved."""
        if self.fault:
            return True
        why = self._identity.lost() if self._identity is not None else ""
        if not why:
            return False
        self.fault = why
        log.error("%s; the kiosk stops: restore the file, then restart the kiosk", why)
        hw = self.devices()
        hw.leds.set_many(dict.fromkeys(hw.leds.states(), "off"))
        hw.leds.status("ready", "off")
        hw.leds.status("conflict", "on")
        screen = wording.conflict(
            "Storage error", "Database file gone", "Call staff; do not retry", kind="error"
        )
        hw.display.show(panel.render(screen, hw.display.width, hw.display.height))
        self._screen = screen
        self._stopping = True
        return True

    def _follow_cases(self) -> None:
        """A case created, resized or removed meanwhile: LEDs and status follow, no restart."""
        with self.db.read() as conn:
            names = [str(ref) for ref, _ in slots.list_slots(conn)]
        if names == self._slot_names:
            return
        log.info("cases changed: %d slots now (%d before)", len(names), len(self._slot_names))
        self._slot_names = names
        follow_slots(self.devices().leds, self.config, names)
        self._shown = None  # put every LED again
        self._note_unlit()

    def _note_unlit(self) -> None:
        lit = self.devices().leds.states()
        unlit = [name for name in self._slot_names if name not in lit]
        if unlit and unlit != self._unlit:
            log.warning(
                "%d slots have no light (served unlit, the OLED names the slot): %s",
                len(unlit),
                ", ".join(clean(name) for name in unlit),
            )
        self._unlit = unlit

    def _apply(self, view: View) -> None:
        """Put ``view`` on the hardware: LEDs first (the person looks there), then the OLED."""
        hw = self.devices()
        shown = self._shown
        if shown is None or view.leds != shown.leds:
            # Every LED there is; a slot without one is served unlit (see _note_unlit).
            states = dict.fromkeys(hw.leds.states(), "off")
            states.update((slot, state) for slot, state in view.leds.items() if slot in states)
            hw.leds.set_many(states)
        if shown is None or (view.ready, view.conflict) != (shown.ready, shown.conflict):
            hw.leds.status("ready", view.ready)
            hw.leds.status("conflict", view.conflict)
        if shown is None or view.screen != shown.screen:
            display = hw.display
            display.show(panel.render(view.screen, display.width, display.height))
            self._screen = view.screen
        self._shown = view

    def devices(self) -> Hardware:
        """The devices, once :meth:`start` has set them up."""
        if self.hw is None:
            raise RuntimeError("the kiosk's hardware is not set up (start() first)")
        return self.hw

    def display_lines(self) -> list[str]:
        """The text on the panel as drawn (fitted), title first; empty when cleared."""
        screen, display = self._screen, self.devices().display
        return panel.text_lines(screen, display.width, display.height) if screen else []

    # -- reporting -------------------------------------------------------------

    def status_line(self) -> str:
        """The line for ``systemctl status``: "idle, 212 assets, 3 in custody"."""
        state = self._shown.state if self._shown else IDLE
        total = sum(self._counts.values())
        out = self._counts.get("IN_CUSTODY", 0)
        return f"{state.replace('_', ' ')}, {total} assets, {out} in custody"

    def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer a checked control request (runs on the control thread)."""
        cmd = request["cmd"]
        if cmd == "inject":
            return self._inject(request)
        if cmd == "screen":
            buf = io.BytesIO()
            self.devices().display.image().save(buf, format="PNG")
            return {"png": base64.b64encode(buf.getvalue()).decode("ascii")}
        return self.status()

    def _inject(self, request: dict[str, Any]) -> dict[str, Any]:
        """Queue an injection and wait for it; "busy" is an answer only if it never happens."""
        done = threading.Event()
        if request["kind"] == "scan":
            event = self.put("scan", vet_scan(self.devices().scanner, request["code"]), done)
        else:
            event = self.put("press", request["button"], done)
        busy = KioskError("the kiosk is busy; nothing was done, try again", code="busy")
        if event is None:
            raise busy
        if not done.wait(INJECT_WAIT) and self.inbox.withdraw(event):
            raise busy
        # Taken: the loop is handling it now, and one step is bounded (busy timeout).
        if not done.wait(INJECT_FINISH):
            raise KioskError("the kiosk took the event but has not finished it", code="timeout")
        return self.status()

    def status(self) -> dict[str, Any]:
        """What ``assettrack status`` shows; ``state``, ``leds``, ``display`` are a contract."""
        shown, hw = self._shown, self.devices()
        return {
            "state": shown.state if shown else "starting",
            "leds": hw.leds.states(),
            "unlit_slots": list(self._unlit),
            "status_leds": hw.leds.status_states(),
            # Already visible as drawn (control characters shown escaped once).
            "display": self.display_lines(),
            # False while the panel does not answer: "display" is what it should show.
            "display_ok": hw.display.healthy,
            "scanner": {"connected": hw.scanner.connected},
            "uptime": round(self.clock() - self.started, 3),
            "database": str(self.db.path),
            "pid": os.getpid(),
            "dropped_inputs": self.inbox.dropped,
        }


def serve(daemon: Daemon) -> int:
    """Run ``daemon`` in the foreground until SIGTERM, SIGINT or SIGHUP; returns the exit code.

    SIGHUP is the terminal of ``make run`` going away: stop as cleanly as on
    Ctrl-C rather than linger, holding the socket, with no one to see it.
    """

    def on_signal(signum: int, _frame: object) -> None:
        log.info("%s received; stopping", signal.Signals(signum).name)
        daemon.stop()

    previous = {
        s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    }
    try:
        daemon.start()
        daemon.run()
    finally:
        daemon.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if daemon.fault:
        raise DatabaseMoved(daemon.fault)
    return 0
