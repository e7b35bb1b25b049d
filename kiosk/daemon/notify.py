"""Telling systemd how the daemon is doing (``Type=notify``), via systemd-python.

The unit runs the kiosk with ``Type=notify`` and ``WatchdogSec=``; systemd
passes ``NOTIFY_SOCKET`` (and ``WATCHDOG_USEC``) in the environment and this
module answers with :func:`systemd.daemon.notify` (``sd_notify(3)``):

* ``READY=1`` once, when the database and the hardware are up: only then does
  ``systemctl start`` return, and units ordered after the kiosk start.
* ``STATUS=...`` a human line for ``systemctl status`` ("idle, 212 assets,
  3 in custody"), sent only when it changes.
* ``WATCHDOG=1`` from the main loop every half ``WATCHDOG_USEC``: if the loop
  hangs, the pings stop and systemd restarts the kiosk. ``WATCHDOG_PID``,
  when set, must name this process (a child must not ping for its parent).
* ``STOPPING=1`` as soon as a SIGTERM arrives.

Without ``NOTIFY_SOCKET`` (a developer's terminal) every call does nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

Sender = Callable[[str], object]


def _systemd_sender() -> Sender | None:
    try:
        from systemd import daemon
    except ImportError:
        log.warning("NOTIFY_SOCKET is set but systemd-python is missing; not notifying")
        return None
    return daemon.notify


def watchdog_interval(env: Mapping[str, str]) -> float | None:
    """Seconds between watchdog pings: half of ``WATCHDOG_USEC``, or None when off."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec / 2 / 1e6


class Notifier:
    """The daemon's side of the notify protocol; cheap to call on every tick."""

    def __init__(self, env: Mapping[str, str] | None = None, send: Sender | None = None) -> None:
        env = os.environ if env is None else env
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        # sd_notify reads NOTIFY_SOCKET from the process environment itself.
        self._send = (send or _systemd_sender()) if self.enabled else None
        self.interval = watchdog_interval(env) if self.enabled else None
        self._next_ping = float("-inf")
        self._status: str | None = None
        self._failed = False
        self._stopping = False

    def _notify(self, message: str) -> None:
        if self._send is None:
            return
        try:
            self._send(message)
        except OSError as exc:
            # systemd gone or socket full: the kiosk keeps working; say so once.
            if not self._failed:
                log.warning("cannot notify systemd: %s", exc)
                self._failed = True

    def ready(self, status: str) -> None:
        self._status = status
        self._notify(f"READY=1\nSTATUS={status}")

    def status(self, text: str) -> None:
        if text != self._status:
            self._status = text
            self._notify(f"STATUS={text}")

    def watchdog(self, now: float) -> None:
        """Ping if half the watchdog period has passed since the last ping."""
        if self.interval is not None and now >= self._next_ping:
            self._next_ping = now + self.interval
            self._notify("WATCHDOG=1")

    def stopping(self) -> None:
        """Sent once, however many paths lead to the shutdown."""
        if not self._stopping:
            self._stopping = True
            self._notify("STOPPING=1\nSTATUS=stopping")
