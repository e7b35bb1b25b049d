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

from hw.scanner import SerialScanner
from tests.hw.helpers import wait_for
from tests.hw.test_scanner import Pty, take

REPLUGS = 100


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_hundred_replugs_resume_and_leak_nothing(tmp_path):
    link = tmp_path / "assettrack-scanner"
    device = Pty()
    link.symlink_to(device.path)
    scans: queue.Queue[str] = queue.Queue()
    reader = SerialScanner(
        str(link),
        9600,
        scans.put,
        terminator_timeout=0.05,
        duplicate_window=0.0,
        reconnect_max=0.02,
    )
    reader.start()
    try:
        assert wait_for(lambda: reader.connected)
        device.send(b"WARMUP\r")
        assert take(scans, 1) == ["WARMUP"]
        gc.collect()  # earlier tests' unclosed files must not close during the count
        threads, fds = threading.active_count(), _fds()
        for i in range(REPLUGS):
            device.unplug()
            link.unlink()  # udev removes the name with the device
            assert wait_for(lambda: not reader.connected), f"replug {i}: still connected"
            device = Pty()
            link.symlink_to(device.path)
            assert wait_for(lambda: reader.connected), f"replug {i}: did not reconnect"
            device.send(f"LT-{i:04d}\r".encode())
            assert take(scans, 1) == [f"LT-{i:04d}"], f"replug {i}: scan lost"
        assert threading.active_count() == threads
        assert _fds() == fds
    finally:
        reader.stop()
        device.unplug()
