"""A notify socket nobody reads must not freeze the kiosk.

systemd's notify socket is a datagram socket; the kernel queues only
``net.unix.max_dgram_qlen`` datagrams (10 by default) for a reader that is
not reading. A blocking send would park the main loop inside a WATCHDOG or
STATUS ping: no scans, no ``status``, no SIGTERM. Here the test plays a
systemd that bound the socket and then stopped reading.
"""

from __future__ import annotations

import signal
import socket

from kiosk.daemon.control import request
from tests.counts import scaled
from tests.daemon.helpers import wait_for
from tests.daemon.test_end_to_end import spawn

CYCLES = scaled(30, 300)


def ask(proc, message):
    """One control request, in-process (the CLI's client code without its start-up)."""
    return request(proc.socket, message, timeout=10)


def until_state(proc, state):
    doc = wait_for(lambda: (d := ask(proc, {"cmd": "status"}))["state"] == state and d, 10, 0.02)
    assert doc, f"never reached {state}"


def fill(path) -> int:
    """Queue datagrams on the socket at ``path`` until the kernel refuses more."""
    sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sender.setblocking(False)
    sent = 0
    try:
        while True:
            sender.sendto(b"X=1", str(path))
            sent += 1
    except BlockingIOError:
        return sent
    finally:
        sender.close()


def test_stalled_notify_socket_never_blocks_the_loop(seeded_path, scanner_pty, short_tmp):
    proc = spawn(seeded_path, short_tmp, "--scanner", scanner_pty.path)
    try:
        assert fill(proc.systemd.path) > 0
        # The socket is bound (the daemon can send) but never read from now on.
        assert wait_for(lambda: proc.socket.exists() or proc.poll() is not None, 10)
        assert proc.poll() is None, proc.communicate()
        assert wait_for(lambda: ask(proc, {"cmd": "status"})["scanner"]["connected"], 10)
        for i in range(CYCLES):
            # Two tags in turn: the same one again within a second is a repeat read.
            scanner_pty.scan(("LT-0101", "LT-0102")[i % 2])
            until_state(proc, "await_badge")
            cancel = {"cmd": "inject", "kind": "press", "button": "cancel"}
            assert ask(proc, cancel)["state"] == "idle"
        assert ask(proc, {"cmd": "status"})["state"] == "idle"
        proc.send_signal(signal.SIGTERM)
        # Generous: a blocked loop never exits; a free one exits at once.
        assert proc.wait(timeout=15) == 0
        _, err = proc.communicate()
        assert err.count("systemd notify queue is full") == 1, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        proc.systemd.close()


def test_notify_datagrams_still_arrive_when_read(seeded_path, scanner_pty, short_tmp):
    """The non-blocking sender still speaks sd_notify: READY, STATUS, WATCHDOG, STOPPING."""
    proc = spawn(seeded_path, short_tmp, "--scanner", scanner_pty.path)
    systemd = proc.systemd
    try:
        assert wait_for(lambda: "READY=1" in systemd.lines() or proc.poll() is not None, 10)
        assert wait_for(lambda: "WATCHDOG=1" in systemd.lines())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "STOPPING=1" in systemd.lines()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
        systemd.close()


def test_abstract_notify_address(tmp_path):
    """``NOTIFY_SOCKET=@name`` is an abstract socket (sd_notify(3)); the sender handles both."""
    from kiosk.daemon.notify import Notifier

    name = f"assettrack-test-{tmp_path.name}"
    reader = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    reader.bind("\0" + name)
    reader.settimeout(2)
    try:
        notifier = Notifier({"NOTIFY_SOCKET": "@" + name})
        notifier.ready("idle")
        assert reader.recv(4096) == b"READY=1\nSTATUS=idle"
        notifier.close()
    finally:
        reader.close()
