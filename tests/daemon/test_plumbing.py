"""The daemon's small parts: notify, log destination, request checks, peer rules, keys."""

from __future__ import annotations

import logging
import os
import socket

import pytest

from kiosk.daemon import logsetup
from kiosk.daemon.console import meaning
from kiosk.daemon.control_server import allowed, check_request, peer_credentials, peer_groups
from kiosk.daemon.notify import Notifier, watchdog_interval
from kiosk.errors import InvalidInput


def test_notifier_speaks_sd_notify(monkeypatch, short_tmp):
    path = short_tmp / "notify"
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(path))
    listener.settimeout(2)
    try:
        n = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"})
        assert n.interval == 1.0
        n.ready("idle, 6 assets, 1 in custody")
        n.status("idle, 6 assets, 1 in custody")  # unchanged: not sent again
        n.status("preview, 6 assets, 1 in custody")
        n.watchdog(10.0)
        n.watchdog(10.5)  # within half the period: not sent
        n.watchdog(11.0)
        n.stopping()
        n.stopping()
        got = []
        listener.settimeout(0.2)
        try:
            while True:
                got.append(listener.recv(4096).decode())
        except TimeoutError:
            pass
    finally:
        listener.close()
    assert got == [
        "READY=1\nSTATUS=idle, 6 assets, 1 in custody",
        "STATUS=preview, 6 assets, 1 in custody",
        "WATCHDOG=1",
        "WATCHDOG=1",
        "STOPPING=1\nSTATUS=stopping",
    ]


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "junk"}, None),
        ({"WATCHDOG_USEC": "3000000"}, 1.5),
        ({"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "1"}, None),
        ({"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": str(os.getpid())}, 1.5),
    ],
)
def test_watchdog_interval(env, expected):
    assert watchdog_interval(env) == expected


def test_without_notify_socket_nothing_is_sent():
    sent = []
    n = Notifier({}, send=sent.append)
    n.ready("x")
    n.watchdog(1.0)
    assert n.interval is None
    assert sent == []


def test_log_destination(monkeypatch):
    st = os.fstat(2)
    assert logsetup.under_systemd({"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
    assert logsetup.under_systemd({"INVOCATION_ID": "abc"})
    assert not logsetup.under_systemd({"JOURNAL_STREAM": "1:2"})
    assert not logsetup.under_systemd({})
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        assert logsetup.configure(logging.INFO, env={}) == "stderr"
        assert logsetup.configure(logging.INFO, env={"INVOCATION_ID": "x"}) == "journal"
        assert type(root.handlers[0]).__name__ == "JournalHandler"
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b'"status"',
        b'{"cmd": "reboot"}',
        b'{"cmd": "status", "x": 1}',
        b'{"cmd": "inject"}',
        b'{"cmd": "inject", "kind": "scan"}',
        b'{"cmd": "inject", "kind": "scan", "code": ""}',
        b'{"cmd": "inject", "kind": "scan", "code": 7}',
        b'{"cmd": "inject", "kind": "scan", "code": "' + b"x" * 300 + b'"}',
        b'{"cmd": "inject", "kind": "press", "button": "long_cancel"}',
        b"\xff\xfe",
    ],
)
def test_malformed_requests_are_refused(raw):
    with pytest.raises(InvalidInput):
        check_request(raw)


def test_good_requests_pass():
    assert check_request(b'{"cmd":"status"}') == {"cmd": "status"}
    scan = b'{"cmd":"inject","kind":"scan","code":"LT-0193"}'
    assert check_request(scan)["code"] == "LT-0193"


def test_peer_rules():
    a, b = socket.socketpair(socket.AF_UNIX)
    try:
        pid, uid, gid = peer_credentials(a)
        groups = peer_groups(a)
    finally:
        a.close()
        b.close()
    assert (pid, uid, gid) == (os.getpid(), os.geteuid(), os.getegid())
    assert groups == set(os.getgroups())
    assert allowed(uid, gid, groups)
    assert allowed(0, 12345, set())  # root
    stranger = os.geteuid() + 54321
    assert allowed(stranger, os.getegid(), set())  # our group as its primary
    assert allowed(stranger, 12345, {7, os.getegid()})  # our group as a supplementary
    assert not allowed(stranger, os.getegid() + 54321, {7})


@pytest.mark.parametrize(
    "line, expected",
    [
        ("\n", ("press", "confirm")),
        ("+\n", ("press", "confirm")),
        ("-\n", ("press", "cancel")),
        ("LT-0193\n", ("scan", "LT-0193")),
        ("BADGE:0042\r\n", ("scan", "BADGE:0042")),
    ],
)
def test_terminal_keys(line, expected):
    assert meaning(line) == expected


def test_repetitive_log_lines_are_rate_limited():
    now = [0.0]
    limit = logsetup.RateLimit(burst=3, window=10.0, clock=lambda: now[0])

    def line(msg, *args):
        record = logging.LogRecord("kiosk.daemon.loop", logging.INFO, "", 0, msg, args, None)
        return record.getMessage() if limit.filter(record) else None

    out = [line("scan %s", f"LT-{i}") for i in range(6)]
    assert out[:3] == ["scan LT-0", "scan LT-1", "scan LT-2"]
    assert out[3] == "scan LT-3 (similar lines suppressed for up to 10 s)"
    assert out[4:] == [None, None]
    assert line("button %s", "confirm") == "button confirm"  # another call site: its own budget
    now[0] = 10.0
    assert line("scan %s", "LT-9") == "scan LT-9 (3 similar lines suppressed before this one)"


def test_inbox_drops_the_excess_and_lets_stop_jump_the_queue():
    from kiosk.daemon.inbox import Inbox

    inbox = Inbox(limit=3)
    kept = [inbox.put("scan", f"LT-{i}") for i in range(5)]
    assert [e is not None for e in kept] == [True, True, True, False, False]
    assert inbox.dropped == 2
    assert inbox.put("scanner", "connected") is not None  # status news is never dropped
    inbox.ask_stop()
    assert inbox.get(0).kind == "stop"  # ahead of the four queued
    assert inbox.get(0).kind == "stop"  # and for good


def test_an_injection_is_taken_or_withdrawn_never_both():
    import threading

    from kiosk.daemon.inbox import Inbox

    inbox = Inbox()
    late = inbox.put("scan", "LT-0101", threading.Event())
    soon = inbox.put("scan", "LT-0102", threading.Event())
    assert inbox.withdraw(late)  # its client answered "busy"
    assert inbox.get(0) is soon  # the withdrawn one is skipped, never handled
    assert not inbox.withdraw(soon)  # taken: too late to withdraw
    assert inbox.get(0) is None
