"""Kiosk latency and memory, end to end through the real code (``make bench``).

Latency (in-process, one run): the daemon on gpiozero MockFactory pins with
a pty as its serial scanner.

* scan -> LED: from the bytes written to the pty to the slot LED's pin going
  high, as recorded in the MockPin's own timestamped history.
* press -> committed: from driving the Confirm button's pin low to the
  commit returning (``settle`` wrapped with a timestamp probe).

Memory: ``assettrack run --sim`` as a process, 10,000 scan/confirm cycles
(scans through a pty, presses through the control socket), VmRSS read from
/proc after a warm-up and at the end.

Targets on a developer machine: p99 scan -> LED < 10 ms, press -> committed
< 20 ms, RSS < 40 MB with no growth. The figures are printed, not asserted:
a loaded CI machine must not fail the build on them.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import pytest

import kiosk.daemon as daemon_mod
from tests.daemon.helpers import (
    CANCEL_PIN,
    CONFIRM_PIN,
    SLOT_PINS,
    make_daemon,
    timeline,
    wait_for,
)

pytestmark = [pytest.mark.bench, pytest.mark.timeout(1800)]

SCANS = 1000
CYCLES = int(os.environ.get("ASSETTRACK_BENCH_CYCLES", "10000"))


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * p / 100), len(ordered) - 1)]


def report(name, seconds):
    ms = [s * 1000 for s in seconds]
    print(
        f"\n{name}: n={len(ms)} p50={statistics.median(ms):.2f} ms "
        f"p99={pct(ms, 99):.2f} ms max={max(ms):.2f} ms"
    )


def first_high_after(pin, t0):
    return next(t for t, level in timeline(pin) if t >= t0 and level)


def test_scan_to_led_and_press_to_commit(kiosk_db, mock_factory, scanner_pty, monkeypatch):
    commits = []
    real_settle = daemon_mod.settle

    def probe(*args, **kwargs):
        done = real_settle(*args, **kwargs)
        if done:
            commits.append(time.monotonic())
        return done

    monkeypatch.setattr(daemon_mod, "settle", probe)
    d = make_daemon(kiosk_db, mock_factory, scanner_pty, bounce_time=0.0, duplicate_window=0.0)
    d.start()
    loop = threading.Thread(target=d.run, daemon=True)
    loop.start()
    pin = mock_factory.pin(SLOT_PINS["CART-A:3"])
    scan_led, press_commit = [], []

    def state_is(state):
        assert wait_for(lambda: d.machine.state == state, 5, 0.0002), d.machine.view

    def measured_scan(code, state):
        assert wait_for(lambda: not pin.state, 5, 0.0002)  # the previous step put it out
        t0 = time.monotonic()
        scanner_pty.scan(code)
        assert wait_for(lambda: pin.state, 5, 0.0002)
        scan_led.append(first_high_after(pin, t0) - t0)
        state_is(state)

    def measured_confirm():
        before = len(commits)
        t0 = time.monotonic()
        mock_factory.pin(CONFIRM_PIN).drive_low()
        assert wait_for(lambda: len(commits) > before, 5, 0.0002)
        press_commit.append(commits[-1] - t0)
        mock_factory.pin(CONFIRM_PIN).drive_high()
        state_is("success")

    try:
        assert wait_for(lambda: d.hw.scanner.connected)
        for _ in range(SCANS // 2):
            measured_scan("LT-0103", "preview")  # stock-in: home slot blinks
            measured_confirm()
            mock_factory.pin(CANCEL_PIN).drive_low()  # back to idle: LED off
            mock_factory.pin(CANCEL_PIN).drive_high()
            state_is("idle")
            measured_scan("LT-0103", "await_badge")  # stock-out: its slot blinks
            scanner_pty.scan("BADGE:0042")
            state_is("preview")
            measured_confirm()  # taken: LED off
    finally:
        d.stop()
        loop.join(5)
        d.close()
    report("scan -> slot LED pin", scan_led)
    report("Confirm pin -> committed", press_commit)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def ask(path, message):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(path))
    try:
        s.sendall(json.dumps(message).encode() + b"\n")
        return json.loads(s.makefile("rb").readline())
    finally:
        s.close()


def test_rss_after_many_cycles(seeded_path, scanner_pty, short_tmp):
    base = short_tmp
    config = base / "kiosk.toml"
    config.write_text("[scanner]\nduplicate_window = 0\n")
    sock = base / "control.sock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config), "--db", str(seeded_path)]
        + ["run", "--sim", "--scanner", scanner_pty.path, "--socket", str(sock)],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def state():
        return ask(sock, {"cmd": "status"})["state"]

    def scan(code, expect):
        scanner_pty.scan(code)
        assert wait_for(lambda: state() == expect, 5, 0.0005)

    def confirm():
        assert ask(sock, {"cmd": "inject", "kind": "press", "button": "confirm"})["state"] == (
            "success"
        )

    try:
        assert wait_for(
            lambda: sock.exists() and ask(sock, {"cmd": "status"})["scanner"]["connected"], 10
        )
        samples = []
        start = time.monotonic()
        for i in range(CYCLES // 2):
            scan("LT-0103", "preview")
            confirm()
            scan("LT-0103", "await_badge")
            scan("BADGE:0042", "preview")
            confirm()
            if (i + 1) % max(CYCLES // 20, 1) == 0:
                samples.append((2 * (i + 1), rss_kb(proc.pid)))
        elapsed = time.monotonic() - start
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"\n{CYCLES} scan/confirm cycles in {elapsed:.1f} s")
    for cycles, kb in samples:
        print(f"RSS after {cycles:>6} cycles: {kb / 1024:.1f} MB")
    # From the second tenth on: the first cycles fill caches (SQLite's page cache is
    # bounded at 2 MB by default) and import what the first commit needs.
    first = samples[len(samples) // 10]
    growth = samples[-1][1] - first[1]
    print(f"RSS growth from cycle {first[0]} to {samples[-1][0]}: {growth / 1024:.2f} MB")
