"""A flood on the scanner: memory stays bounded, status answers, SIGTERM jumps the backlog.

Against the real daemon with a pty as its scanner, written to as fast as the
kernel takes it (no real scanner is that fast; SECURITY.md says "any rate").
``make test`` floods for a few seconds, ``make torture`` for 30.
"""

from __future__ import annotations

import signal
import threading

from kiosk.daemon.control import request
from tests.counts import scaled
from tests.daemon.helpers import wait_for
from tests.daemon.test_end_to_end import spawn

SECONDS = scaled(3, 30)


def peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def flood(pty, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        # Distinct tags (no duplicate window), a few refused lines among them.
        lines = b"".join(b"LT-%06d\r" % (n + i) for i in range(200)) + b"\x01junk\r" + b"x" * 300
        pty.write(lines + b"\r")
        n += 200


def test_flood_stays_bounded_and_shutdown_jumps_the_queue(
    seeded_path, scanner_pty, short_tmp, tmp_path
):
    # The log goes to a file: a pipe nobody drains during the flood would stall the writer.
    log = open(tmp_path / "daemon.log", "w+")  # noqa: SIM115 - closed in finally
    proc = spawn(seeded_path, short_tmp, "--scanner", scanner_pty.path, stderr=log)
    stop = threading.Event()
    writer = threading.Thread(target=flood, args=(scanner_pty, stop), daemon=True)
    try:
        assert wait_for(lambda: "READY=1" in proc.systemd.lines() or proc.poll() is not None, 10)
        assert wait_for(lambda: request(proc.socket, {"cmd": "status"})["scanner"]["connected"])
        before = peak_rss_kb(proc.pid)
        writer.start()
        answers = 0
        deadline = threading.Event()
        threading.Timer(SECONDS, deadline.set).start()
        while not deadline.is_set():
            assert request(proc.socket, {"cmd": "status"}, timeout=10)["pid"] == proc.pid
            answers += 1
        doc = request(proc.socket, {"cmd": "status"}, timeout=10)
        assert doc["dropped_inputs"] > 0
        # Bounded: a queue of 64 codes is kilobytes; an unbounded one grew by megabytes a second.
        assert peak_rss_kb(proc.pid) - before < 30_000
        # SIGTERM while the flood goes on: the backlog is not worked off first.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        stop.set()
        proc.communicate()
        err = (tmp_path / "daemon.log").read_text()
        after = err[err.index("SIGTERM received") :]
        assert after.count("INFO kiosk.daemon.loop: scan ") <= 1, after[:2000]
        # Repetitive lines are rate-limited: a few hundred lines, not one per scan.
        assert len(err.splitlines()) < 1000, len(err.splitlines())
        assert "similar lines suppressed" in err
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        proc.systemd.close()
        scanner_pty.close()  # unblocks a writer stuck on a full pty
        writer.join(5)
        log.close()
