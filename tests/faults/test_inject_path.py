"""``assettrack inject scan`` is the scanner's path, and "busy" means "not applied".

Against the real daemon process: what the scanner's assembler refuses
(anything outside printable ASCII, longer than ``scanner.max_length``),
``inject`` refuses too, with a one-line error and nothing changed. And an
injection the loop could not take in time is withdrawn, never applied later.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from kiosk.daemon.control import request
from kiosk.domain import assets
from kiosk.store.db import Database
from tests.daemon.helpers import wait_for
from tests.daemon.test_end_to_end import spawn
from tests.faults.helpers import hold_lock, kiosk_process

LOOK_ALIKES = [
    "L\u0422-0101",  # Cyrillic Te
    "LT\u20110101",  # non-breaking hyphen
    "LT-\u0660\u0661\u0660\u0661",  # Arabic-Indic digits
    "LT-0101\u200b",  # zero-width space
    "A" * 129,  # over scanner.max_length (128)
    "A" * 256,
    "LT-01\t01",
]


@pytest.fixture
def kiosk(seeded_path, short_tmp):
    with kiosk_process(seeded_path, short_tmp) as proc:
        yield proc


def inject(kiosk, code):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--json", "inject", "scan", code],
        env=kiosk.env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_inject_refuses_what_the_scanner_refuses(kiosk, seeded_path):
    for code in LOOK_ALIKES:
        out = inject(kiosk, code)
        assert out.returncode == 2, (code, out)
        error = json.loads(out.stdout)["error"]
        assert error["code"] == "bad_scan", error
        assert error["message"].startswith("not a scan: "), error
        assert request(kiosk.socket, {"cmd": "status"})["state"] == "idle"
    # A printable ASCII code of the longest allowed length is a scan like any other.
    assert json.loads(inject(kiosk, "LT-0999").stdout)["state"] == "preview"
    with Database(seeded_path) as db, db.read() as conn:
        assert sum(assets.counts(conn).values()) == 6


def test_busy_means_not_applied(seeded_path, short_tmp):
    # A commit blocked by another writer holds the main loop up to 8 s.
    proc = spawn(seeded_path, short_tmp, config="[database]\nbusy_timeout = 8\n")
    holder = None
    try:
        assert wait_for(lambda: "READY=1" in proc.systemd.lines() or proc.poll() is not None, 10)
        assert request(proc.socket, {"cmd": "inject", "kind": "scan", "code": "LT-0101"})
        doc = request(proc.socket, {"cmd": "inject", "kind": "scan", "code": "BADGE:0043"})
        assert doc["state"] == "preview"
        holder = hold_lock(seeded_path)
        # Confirm: the commit waits for the lock, and the main loop with it.
        # Through the CLI: it waits for the answer as long as the daemon may take.
        confirm = {}
        press = [sys.executable, "-m", "kiosk", "--json", "inject", "press", "confirm"]
        worker = threading.Thread(
            target=lambda: confirm.update(
                vars(subprocess.run(press, env=proc.env, capture_output=True, text=True))
            )
        )
        worker.start()
        time.sleep(0.5)  # the loop has taken the press and waits in BEGIN IMMEDIATE
        out = inject(proc, "LT-0102")
        assert out.returncode == 1 and json.loads(out.stdout)["error"]["code"] == "busy", out
        holder.communicate("\n", timeout=10)
        worker.join(30)
        # (The success screen may already be over: its hold counts from the press.)
        assert confirm["returncode"] == 0, confirm
        assert json.loads(confirm["stdout"])["state"] in ("success", "idle")
        with Database(seeded_path) as db, db.read() as conn:
            assert assets.get(conn, "LT-0101").status == "IN_CUSTODY"
        # The scan answered "busy" never happens: no stock-out of LT-0102 begins.
        time.sleep(0.5)
        assert request(proc.socket, {"cmd": "status"})["state"] in ("success", "idle")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        _, err = proc.communicate()
        assert "scan LT-0102" not in err, err
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
            holder.wait()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        proc.systemd.close()
