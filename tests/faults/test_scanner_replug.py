"""The scanner yanked and plugged back in, over and over, while scans flow.

Each time, scans must resume; the reader's thread count and the process's
open file descriptors must not grow (a leaked handle per replug would end
the kiosk after a few weeks of careless hands).
"""

from __future__ import annotations

import gc
import os
import queue
import threading

from hw.scanner import CONNECTED, DISCONNECTED, SerialScanner
from tests.hw.test_scanner import Pty, take

REPLUGS = 100
#: Ends a hung test; a busy machine only makes a passing one slower.
DEADLINE = 60.0


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_hundred_replugs_resume_and_leak_nothing(tmp_path):
    link = tmp_path / "assettrack-scanner"
    device = Pty()
    link.symlink_to(device.path)
    scans: queue.Queue[str] = queue.Queue()
    statuses: queue.Queue[str] = queue.Queue()

    def next_status(i: int) -> str:
        try:
            return statuses.get(timeout=DEADLINE)
        except queue.Empty:
            return f"replug {i}: no status within {DEADLINE} s"

    reader = SerialScanner(
        str(link),
        9600,
        scans.put,
        statuses.put,
        terminator_timeout=0.05,
        duplicate_window=0.0,
        reconnect_max=0.02,
    )
    reader.start()
    try:
        assert next_status(-1) == CONNECTED
        device.send(b"WARMUP\r")
        assert take(scans, 1, DEADLINE) == ["WARMUP"]
        gc.collect()  # earlier tests' unclosed files must not close during the count
        threads, fds = threading.active_count(), _fds()
        for i in range(REPLUGS):
            device.unplug()
            link.unlink()  # udev removes the name with the device
            # Each unplug and each replug is reported once, in this order.
            assert next_status(i) == DISCONNECTED, f"replug {i}: still connected"
            device = Pty()
            link.symlink_to(device.path)
            assert next_status(i) == CONNECTED, f"replug {i}: did not reconnect"
            device.send(f"LT-{i:04d}\r".encode())
            assert take(scans, 1, DEADLINE) == [f"LT-{i:04d}"], f"replug {i}: scan lost"
        assert statuses.empty()
        assert threading.active_count() == threads
        assert _fds() == fds
    finally:
        reader.stop()
        device.unplug()
