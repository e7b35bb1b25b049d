"""Telling systemd how the daemon is doing (``Type=notify``), never waiting for it.

The unit runs the kiosk with ``Type=notify`` and ``WatchdogSec=``; systemd
passes ``NOTIFY_SOCKET`` (and ``WATCHDOG_USEC``) in the environment and this
module speaks the ``sd_notify(3)`` protocol: one datagram per message to the
Unix socket named there (``@name`` is an abstract socket):

* ``READY=1`` once, when the database and the hardware are up: only then does
  ``systemctl start`` return, and units ordered after the kiosk start.
* ``STATUS=...`` a human line for ``systemctl status`` ("idle, 212 assets,
  3 in custody"), sent only when it changes.
* ``WATCHDOG=1`` from the main loop every half ``WATCHDOG_USEC``: if the loop
  hangs, the pings stop and systemd restarts the kiosk. ``WATCHDOG_PID``,
  when set, must name this process (a child must not ping for its parent).
* ``STOPPING=1`` as soon as a SIGTERM arrives.

Without ``NOTIFY_SOCKET`` (a developer's terminal) every call does nothing.

Why not ``systemd.daemon.notify``: it sends with a blocking ``sendmsg``. The
kernel queues only ``net.unix.max_dgram_qlen`` (10) datagrams for a reader
that is not reading -- a stuck or stopped systemd, a test harness -- and the
next send then parks the main loop: no scans, no control socket, no SIGTERM.
Here every send is ``MSG_DONTWAIT``; a full queue drops that message and
says so once. A missed WATCHDOG=1 is harmless next to a frozen kiosk: if
systemd really stopped reading, its watchdog is not running either.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

Sender = Callable[[str], object]


class DatagramSender:
    """Sends sd_notify datagrams to ``address`` without ever blocking the caller."""

    def __init__(self, address: str) -> None:
        # "@name" is Linux's abstract namespace: a leading NUL byte on the wire.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.sock.setblocking(False)
        self._full = False

    def __call__(self, message: str) -> None:
        try:
            self.sock.sendto(message.encode(), self.address)
        except BlockingIOError:
            # The reader is not reading: drop this one, carry on.
            if not self._full:
                log.warning("systemd notify queue is full; dropping notifications until it drains")
                self._full = True
            return
        if self._full:
            log.info("systemd notify queue drains again")
            self._full = False

    def close(self) -> None:
        self.sock.close()


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
        self._sender = DatagramSender(env["NOTIFY_SOCKET"]) if self.enabled and not send else None
        self._send: Sender | None = (send or self._sender) if self.enabled else None
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
            # systemd gone (no such socket, refused): the kiosk keeps working; say so once.
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

    def close(self) -> None:
        """Release the socket (after STOPPING=1)."""
        if self._sender is not None:
            self._sender.close()
            self._sender = None
            self._send = None
