"""The serial scanner on a real pseudo-terminal pair, unplug and replug included.

The test writes to the pty master the bytes a scanner would send; the
production reader opens the slave through pyserial, at a symlink the test can
point at a new pty to play "the same scanner, plugged back in".
"""

from __future__ import annotations

import logging
import os
import pty
import queue
import time
import tty

import pytest

from hw.scanner import CONNECTED, DISCONNECTED, ScanAssembler, SerialScanner, SimScanner
from tests.hw.helpers import wait_for


class Pty:
    """A pseudo-terminal pair in raw mode: the master plays the scanner."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)  # no CR->LF translation or echo before pyserial opens it
        self.path = os.ttyname(self.slave)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def port(tmp_path):
    """A stable device name (like /dev/assettrack-scanner) and the pty behind it."""
    link = tmp_path / "assettrack-scanner"
    device = Pty()
    link.symlink_to(device.path)
    state = {"pty": device}

    def replug():
        new = Pty()
        tmp = tmp_path / "next"
        tmp.symlink_to(new.path)
        os.replace(tmp, link)  # the name appears at once, pointing at the new device
        state["pty"] = new
        return new

    yield link, state, replug
    try:
        state["pty"].unplug()
    except OSError:
        pass


@pytest.fixture
def scanner(port):
    link, _, _ = port
    scans, statuses = queue.Queue(), []
    reader = SerialScanner(
        str(link),
        9600,
        scans.put,
        statuses.append,
        terminator_timeout=0.05,
        max_length=16,
        duplicate_window=0.3,
        reconnect_max=0.1,
    )
    reader.start()
    assert wait_for(lambda: reader.connected)
    yield reader, scans, statuses
    reader.stop()


def take(scans, n, timeout=30.0):
    deadline = time.monotonic() + timeout
    got = []
    while len(got) < n and time.monotonic() < deadline:
        try:
            got.append(scans.get(timeout=0.02))
        except queue.Empty:
            pass
    return got


def nothing_more(scans, wait=0.15):
    time.sleep(wait)
    return scans.empty()


def test_cr_lf_and_crlf_all_end_a_scan(scanner, port):
    _, scans, _ = scanner
    port[1]["pty"].send(b"LT-1\rLT-2\nLT-3\r\nLT-4\r\n")
    assert take(scans, 4) == ["LT-1", "LT-2", "LT-3", "LT-4"]
    assert nothing_more(scans)  # the LF of a CRLF is not an empty scan


def test_silence_ends_a_scan_without_terminator(scanner, port):
    _, scans, _ = scanner
    port[1]["pty"].send(b"LT-0193")
    assert take(scans, 1) == ["LT-0193"]


def test_overlong_input_is_discarded_and_logged(scanner, port, caplog):
    _, scans, _ = scanner
    with caplog.at_level(logging.WARNING, logger="hw.scanner"):
        port[1]["pty"].send(b"X" * 40 + b"\r" + b"OK-1\r")
        assert take(scans, 1) == ["OK-1"]
    assert "discarded 40 characters of input longer than 16" in caplog.text


def test_garbage_bytes_reject_the_scan_and_are_logged_escaped(scanner, port, caplog):
    _, scans, _ = scanner
    with caplog.at_level(logging.WARNING, logger="hw.scanner"):
        port[1]["pty"].send(b"LT\x1b[2J-1\r\x00\xff")  # noise, then silence ends it
        # Wait for the silence to end the noise (the event, not a fixed delay).
        assert wait_for(lambda: sum("rejected" in r.getMessage() for r in caplog.records) == 2, 30)
        port[1]["pty"].send(b"LT-2\r")
        assert take(scans, 1) == ["LT-2"]
    rejected = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(rejected) == 2 and "bytes 1b" in rejected[0] and "bytes 00 ff" in rejected[1]
    assert "\x1b" not in caplog.text


def test_a_repeated_scan_within_the_window_counts_once(port):
    # A window no machine can outlast mid-test; where it ends is proven with a
    # stepped clock in test_scanner_assembler.py.
    link, state, _ = port
    scans = queue.Queue()
    reader = SerialScanner(
        str(link), 9600, scans.put, terminator_timeout=0.05, duplicate_window=3600
    )
    reader.start()
    try:
        assert wait_for(lambda: reader.connected, 30)
        device = state["pty"]
        device.send(b"LT-5\rLT-5\rLT-6\r")
        assert take(scans, 2, 30) == ["LT-5", "LT-6"]
        device.send(b"LT-6\rLT-5\rLT-7\r")  # a repeat, then codes seen before other codes
        assert take(scans, 2, 30) == ["LT-5", "LT-7"]
        assert nothing_more(scans)
    finally:
        reader.stop()


def test_unplug_reports_once_and_replug_resumes(scanner, port, caplog):
    reader, scans, statuses = scanner
    _, state, replug = port
    link = port[0]
    with caplog.at_level(logging.WARNING, logger="hw.scanner"):
        state["pty"].unplug()
        # udev removes the name with the device; the kernel may hand the
        # freed /dev/pts number to another test's pty meanwhile.
        link.unlink()
        assert wait_for(lambda: not reader.connected)
        time.sleep(0.4)  # several failed reopen attempts
        assert statuses == [CONNECTED, DISCONNECTED]
        assert len([r for r in caplog.records if "disconnected" in r.message]) == 1
        new = replug()
        assert wait_for(lambda: statuses == [CONNECTED, DISCONNECTED, CONNECTED])
    new.send(b"LT-7\r")
    assert take(scans, 1) == ["LT-7"]


def test_a_missing_port_is_reported_and_retried(tmp_path):
    statuses = []
    link = tmp_path / "not-yet"
    reader = SerialScanner(
        str(link), on_status=statuses.append, terminator_timeout=0.05, reconnect_max=0.05
    )
    reader.start()
    try:
        assert wait_for(lambda: statuses == [DISCONNECTED])
        device = Pty()
        link.symlink_to(device.path)
        assert wait_for(lambda: statuses[:2] == [DISCONNECTED, CONNECTED])
        device.unplug()
    finally:
        reader.stop()


def test_pyserial_urls_work_as_ports():
    reader = SerialScanner("loop://", terminator_timeout=0.05)
    reader.start()
    try:
        assert wait_for(lambda: reader.connected)
    finally:
        reader.stop()
    assert not reader.connected


def test_sim_scanner_uses_the_same_rules():
    scans = []
    sim = SimScanner(scans.append, max_length=8, duplicate_window=10)
    sim.start()
    sim.feed("LT-1")
    sim.feed("LT-1")
    sim.feed("TOO-LONG-FOR-THIS")
    sim.feed("LT\x072")
    sim.read_from(["LT-2\n", "LT-3\n"]).join(timeout=2)
    assert scans == ["LT-1", "LT-2", "LT-3"]
    assert sim.connected


def test_assembler_duplicate_window_uses_its_clock():
    now = [0.0]
    scans = []
    assembler = ScanAssembler(scans.append, duplicate_window=1.0, clock=lambda: now[0])
    assembler.feed(b"A\r")
    now[0] = 0.9
    assembler.feed(b"A\r")
    now[0] = 1.5
    assembler.feed(b"A\r\r\n  \r")
    assert scans == ["A", "A"]
