"""The control socket under hostile or merely busy clients, against the real daemon.

A whole request has one deadline (a client dripping a byte at a time cannot
hold a connection slot), the listen backlog takes a burst of staff scripts,
and every malformed request is answered ``bad_request`` (or ``too_large``),
never ``internal_error`` with a traceback in the log.
"""

from __future__ import annotations

import errno
import json
import signal
import socket
import time

import pytest

from kiosk.daemon.control import request
from tests.counts import scaled
from tests.daemon.test_end_to_end import talk
from tests.faults.helpers import kiosk_process

BURST = scaled(100, 120)


@pytest.fixture
def kiosk(seeded_path, short_tmp):
    with kiosk_process(seeded_path, short_tmp) as proc:
        yield proc


def test_a_dripping_client_is_cut_off_by_one_deadline(kiosk):
    drip = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    drip.connect(str(kiosk.socket))
    answer = b""
    try:
        # One byte per 0.5 s never trips a per-read timeout of 2 s; 40 bytes is 20 s.
        for byte in b'{"cmd": "status"                        ':
            try:
                drip.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.5)
            drip.settimeout(0)
            try:
                answer = drip.recv(4096)
            except BlockingIOError:
                continue
            if answer:
                break
    finally:
        drip.close()
    assert answer, "the daemon never cut off a client that kept dripping"
    assert json.loads(answer)["error"]["code"] == "timeout"


def test_a_burst_of_clients_is_not_refused(kiosk):
    """Connections beyond the backlog are refused outright: the burst must fit."""
    clients, refused = [], 0
    for _ in range(BURST):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(str(kiosk.socket))
        except OSError as exc:
            assert exc.errno in (errno.EAGAIN, errno.ECONNREFUSED), exc
            refused += 1
            c.close()
            continue
        clients.append(c)
    try:
        assert refused == 0
        codes = []
        for c in clients:
            c.setblocking(True)
            c.settimeout(10)
            try:
                c.sendall(b'{"cmd": "status"}\n')
                answer = json.loads(c.makefile("rb").readline())
            except OSError:
                continue
            codes.append("ok" if answer["ok"] else answer["error"]["code"])
        # Every answer is an answer: served, or "busy" at once when the slots are full.
        assert set(codes) <= {"ok", "busy"} and "ok" in codes
    finally:
        for c in clients:
            c.close()
    assert request(kiosk.socket, {"cmd": "status"})["state"] == "idle"


MALFORMED = [
    b"[" * 100_000 + b"\n",
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000 + b"\n",
    b'{"cmd": "\xff\xfe"}\n',
    b"\xc3\x28\n",
    b'{"cmd": ["status"]}\n',
    b'{"cmd": {"status": 1}}\n',
    b'{"cmd": null}\n',
    b'{"cmd": 1e400}\n',
    b'{"cmd": "inject", "kind": ["scan"], "code": "LT-0101"}\n',
    b'{"cmd": "inject", "kind": {"k": 1}, "button": "confirm"}\n',
    b'{"cmd": "inject", "kind": "scan", "code": ["LT-0101"]}\n',
    b'{"cmd": "inject", "kind": "scan", "code": {"LT-0101": 1}}\n',
    b'{"cmd": "inject", "kind": "press", "button": ["confirm"]}\n',
    b'{"cmd": "inject", "kind": "press", "button": {"confirm": 1}}\n',
    b'{"cmd": "status", "n": ' + b"9" * 5000 + b"}\n",
    b'{"cmd": "status", ["x"]: 1}\n',
    b'{"cmd": "status", "cmd": "screen", "\\ud800": 1}\n',
    b"NaN\n",
    b"\n",
]


def test_every_malformed_request_is_a_bad_request(kiosk):
    for raw in MALFORMED:
        answer = talk(kiosk.socket, raw)
        assert answer["ok"] is False, raw[:60]
        assert answer["error"]["code"] in ("bad_request", "too_large"), (raw[:60], answer)
    assert request(kiosk.socket, {"cmd": "status"})["state"] == "idle"
    kiosk.send_signal(signal.SIGTERM)
    assert kiosk.wait(10) == 0
    _, err = kiosk.communicate()
    assert "Traceback" not in err and "internal_error" not in err, err
