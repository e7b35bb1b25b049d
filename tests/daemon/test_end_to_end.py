"""``assettrack run --sim`` as a real process, as systemd would run it.

The test plays systemd (a ``NOTIFY_SOCKET`` datagram socket it reads, with
``WATCHDOG_USEC`` set), the barcode scanner (a pty given as ``--scanner``)
and the technician (``assettrack inject`` / ``status --json``), and checks
the database the daemon wrote.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from kiosk.domain import assets
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.types import SlotRef
from kiosk.store.db import Database
from tests.daemon.helpers import wait_for


class Systemd:
    """The notify socket: collects every datagram the daemon sends.

    Like systemd it reads continually (on a thread) once :meth:`receive` was
    first called: the daemon drops what an unread, full socket cannot take.
    """

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.messages: list[str] = []
        self._reader: threading.Thread | None = None
        self._closed = threading.Event()

    def _read(self) -> None:
        while not self._closed.is_set():
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                continue
            except OSError:
                return

    def receive(self) -> list[str]:
        if self._reader is None:
            self._reader = threading.Thread(target=self._read, name="systemd", daemon=True)
            self._reader.start()
        time.sleep(0.06)  # what is on its way now has been read
        return list(self.messages)

    def lines(self) -> list[str]:
        return [line for m in self.receive() for line in m.splitlines()]

    def close(self):
        self._closed.set()
        if self._reader is not None:
            self._reader.join(1)
        self.sock.close()


def spawn(db_path, base, *run_args, config="", **popen_kw) -> subprocess.Popen:
    """``assettrack run --sim`` under a fake systemd whose notify socket is in ``base``.

    ``config`` is the text of its configuration file (empty: every default).

    The process gets ``.env``, ``.systemd`` and ``.socket``; logs go to its stderr.
    """
    systemd = Systemd(base / "notify")
    env = {k: v for k, v in os.environ.items() if k not in ("INVOCATION_ID", "JOURNAL_STREAM")}
    env |= {
        "NOTIFY_SOCKET": str(systemd.path),
        "WATCHDOG_USEC": "400000",
        "ASSETTRACK_SOCKET": str(base / "run" / "control.sock"),
        "ASSETTRACK_CONFIG": str(base / "none.toml"),
    }
    (base / "none.toml").write_text(config)
    cmd = [sys.executable, "-m", "kiosk", "--db", str(db_path), "run", "--sim", *run_args]
    popen_kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen_kw}
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, text=True, **popen_kw)
    proc.env = env
    proc.systemd = systemd
    proc.socket = base / "run" / "control.sock"
    return proc


@pytest.fixture
def kiosk(seeded_path, scanner_pty, short_tmp):
    proc = spawn(seeded_path, short_tmp, "--scanner", scanner_pty.path)
    systemd = proc.systemd
    try:
        assert wait_for(lambda: "READY=1" in systemd.lines() or proc.poll() is not None, 10)
        assert proc.poll() is None, proc.communicate()
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
        systemd.close()


def cli(kiosk, *args, check=True):
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--json", *args],
        env=kiosk.env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    if check:
        assert out.returncode == 0, out
    return json.loads(out.stdout)


def status(kiosk):
    return cli(kiosk, "status")


def until_state(kiosk, state, timeout=5.0):
    doc = wait_for(lambda: (d := status(kiosk))["state"] == state and d, timeout, 0.05)
    assert doc, f"never reached {state}: {status(kiosk)}"
    return doc


def test_scan_inject_status_and_shutdown(kiosk, scanner_pty, seeded_path):
    lines = kiosk.systemd.lines()
    assert lines[0] == "READY=1"
    assert any(line.startswith("STATUS=idle, 6 assets, 1 in custody") for line in lines)
    assert wait_for(lambda: "WATCHDOG=1" in kiosk.systemd.lines())

    doc = status(kiosk)
    assert doc["state"] == "idle"
    assert set(doc["leds"].values()) == {"off"} and len(doc["leds"]) == 14
    assert doc["display"][0] == "Scan an asset"
    assert wait_for(lambda: status(kiosk)["scanner"]["connected"])

    # Stock-out: the tag and the badge through the pty, Confirm through inject.
    scanner_pty.scan("LT-0101")
    doc = until_state(kiosk, "await_badge")
    assert doc["leds"]["CART-A:1"] == "blink"
    scanner_pty.scan("BADGE:0043")
    doc = until_state(kiosk, "preview")
    assert "LT-0101 -> Bob Okafor" in doc["display"]
    doc = cli(kiosk, "inject", "press", "confirm")
    assert doc["state"] == "success" and doc["leds"]["CART-A:1"] == "off"
    with Database(seeded_path) as db, db.read() as conn:
        asset = assets.get(conn, "LT-0101")
        assert (asset.status, asset.custodian) == ("IN_CUSTODY", "0043")
    assert wait_for(lambda: any("2 in custody" in x for x in kiosk.systemd.lines()))

    # A CLI commit while the kiosk previews: the LED follows the database.
    # (CART-A:1 and :3 are homes of laptops out on loan, so not free.)
    doc = cli(kiosk, "inject", "scan", "LT-0999")  # intake: the first free slot
    assert doc["leds"]["CART-A:4"] == "blink"
    with Database(seeded_path) as db:
        execute(db, AddAsset(tag="LT-0950", into=SlotRef("CART-A", 4)), actor="cli")
    doc = wait_for(lambda: (d := status(kiosk))["leds"]["CART-A:6"] == "blink" and d, 3, 0.05)
    assert doc and doc["leds"]["CART-A:4"] == "off"

    png = kiosk.socket.parent / "oled.png"
    cli(kiosk, "screen", "--png", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # SIGTERM mid-preview: nothing committed, STOPPING=1, exit 0 promptly.
    cli(kiosk, "inject", "scan", "LT-0103")
    kiosk.send_signal(signal.SIGTERM)
    assert kiosk.wait(timeout=60) == 0  # the deadline ends a hang; it does not time a stop
    assert "STOPPING=1" in kiosk.systemd.lines()
    assert not kiosk.socket.exists()
    with Database(seeded_path) as db, db.read() as conn:
        assert assets.get(conn, "LT-0103").status == "IN_CUSTODY"
        assert assets.find(conn, "LT-0999") is None


def test_bad_requests_get_error_answers(kiosk):
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--json", "inject", "press", "sideways"],
        env=kiosk.env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    raw = [
        b"not json\n",
        b'{"cmd": "status", "extra": 1}\n',
        b'{"cmd": "inject", "kind": "scan", "code": "LT\\u001b[2J"}\n',
        b'{"cmd": "inject", "kind": "press", "button": "self-destruct"}\n',
        b"[1, 2]\n",
        b"x" * 70000,
    ]
    for message in raw:
        answer = talk(kiosk.socket, message)
        codes = ("bad_request", "bad_scan", "too_large")
        assert answer["ok"] is False and answer["error"]["code"] in codes
    # A client that connects and says nothing is cut off, and others still get answers.
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(str(kiosk.socket))
    try:
        assert status(kiosk)["state"] == "idle"
        silent.settimeout(5)
        assert json.loads(silent.recv(4096))["error"]["code"] == "timeout"
    finally:
        silent.close()
    assert kiosk.socket.stat().st_mode & 0o777 == 0o660
    assert kiosk.socket.parent.stat().st_mode & 0o777 == 0o750


def talk(path, message: bytes) -> dict:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(str(path))
    try:
        s.sendall(message)
        return json.loads(s.makefile("rb").readline())
    finally:
        s.close()
