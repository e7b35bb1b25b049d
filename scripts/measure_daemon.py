"""Figures for the kiosk daemon under hostile conditions (a real process, a pty scanner).

    .venv/bin/python scripts/measure_daemon.py [--flood-seconds 30]

Prints: peak RSS and ``status`` latency during a scanner flood, the time
from SIGTERM to exit under that flood and with a notify socket nobody
reads, and the time from ``case init`` to the new slots in ``status``.
Figures for a report, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.daemon.control import request  # noqa: E402
from kiosk.ops import demo  # noqa: E402
from kiosk.store.db import Database  # noqa: E402
from tests.daemon.helpers import Pty, wait_for  # noqa: E402
from tests.daemon.test_end_to_end import spawn  # noqa: E402


def rss_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def kiosk(base: Path, pty: Pty | None = None):
    db = base / "assettrack.db"
    if not db.exists():
        with Database(db) as d:
            demo.seed(d)
    args = ("--scanner", pty.path) if pty else ()
    log = open(base / "daemon.log", "a")  # noqa: SIM115 - the process outlives this call
    proc = spawn(db, base, *args, stderr=log, stdout=subprocess.DEVNULL)
    assert wait_for(lambda: proc.socket.exists() or proc.poll() is not None, 10)
    assert wait_for(lambda: request(proc.socket, {"cmd": "status"})["state"] == "idle", 10)
    return proc, db


def sigterm_to_exit(proc) -> float:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    return time.monotonic() - started


def flood(seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="at-", dir="/tmp") as tmp:
        base, pty = Path(tmp), Pty()
        proc, _ = kiosk(base, pty)
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set():
                pty.write(b"".join(b"LT-%06d\r" % (n + i) for i in range(200)))
                n += 200

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        latencies, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            t = time.monotonic()
            request(proc.socket, {"cmd": "status"}, timeout=30)
            latencies.append(time.monotonic() - t)
            time.sleep(0.05)
        doc = request(proc.socket, {"cmd": "status"})
        peak = rss_kb(proc.pid, "VmHWM")
        took = sigterm_to_exit(proc)
        stop.set()
        pty.close()
        log_bytes = (base / "daemon.log").stat().st_size
        proc.systemd.close()
        print(f"flood {seconds:g} s: peak RSS {peak / 1024:.1f} MB")
        print(
            f"  status latency: median {statistics.median(latencies) * 1000:.1f} ms, "
            f"max {max(latencies) * 1000:.1f} ms over {len(latencies)} requests"
        )
        print(f"  dropped inputs: {doc['dropped_inputs']}, log {log_bytes / 1024:.0f} KiB")
        print(f"  SIGTERM to exit under flood: {took * 1000:.0f} ms (exit {proc.returncode})")


def stalled_notify() -> None:
    with tempfile.TemporaryDirectory(prefix="at-", dir="/tmp") as tmp:
        base = Path(tmp)
        proc, _ = kiosk(base)
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        filler.setblocking(False)
        try:
            while True:
                filler.sendto(b"X=1", str(proc.systemd.path))
        except BlockingIOError:
            pass
        for i in range(30):
            code = ("LT-0101", "LT-0102")[i % 2]
            request(proc.socket, {"cmd": "inject", "kind": "scan", "code": code})
            request(proc.socket, {"cmd": "inject", "kind": "press", "button": "cancel"})
        took = sigterm_to_exit(proc)
        proc.systemd.close()
        print(f"stalled notify socket, 30 cycles: SIGTERM to exit {took * 1000:.0f} ms")


def case_init() -> None:
    with tempfile.TemporaryDirectory(prefix="at-", dir="/tmp") as tmp:
        base = Path(tmp)
        proc, db = kiosk(base)
        runs = []
        for n, case in enumerate(("CART-C", "CART-D", "CART-E")):
            cmd = [sys.executable, "-m", "kiosk", "--db", str(db), "case", "init", case]
            subprocess.run([*cmd, "--slots", "4"], env=proc.env, check=True, capture_output=True)
            done = time.monotonic()  # the commit is in the file: from here the kiosk's share
            assert wait_for(
                lambda c=case: f"{c}:4" in request(proc.socket, {"cmd": "status"})["leds"], 5, 0.005
            )
            runs.append(time.monotonic() - done)
            del n
        sigterm_to_exit(proc)
        proc.systemd.close()
        print(
            "case init to slots in status: "
            + ", ".join(f"{r * 1000:.0f} ms" for r in runs)
            + " (after the CLI's commit returned)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood-seconds", type=float, default=30.0)
    args = parser.parse_args()
    os.environ.pop("ASSETTRACK_TORTURE", None)
    flood(args.flood_seconds)
    stalled_notify()
    case_init()


if __name__ == "__main__":
    main()
