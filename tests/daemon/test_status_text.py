"""``assettrack status`` shows the OLED's text escaped exactly once, as the panel shows it.

Against the real daemon process (``run --sim`` with a pty scanner), asked by
the real CLI, as a technician would.
"""

from __future__ import annotations

import subprocess
import sys

from kiosk.domain import people
from kiosk.store.db import Database
from tests.daemon.test_end_to_end import cli, kiosk, until_state  # noqa: F401 - fixture

EVIL_NAME = "Evil\x1b[2J\x1b[31mRed\x07Bell"
ONCE = "Evil\\x1b[2J\\x1b[31mRed\\x07Bell"  # one backslash per escape


def test_status_escapes_the_screen_once(kiosk, seeded_path):  # noqa: F811 - the fixture
    with Database(seeded_path) as db:
        people.add_person(db, "0666", EVIL_NAME, actor="test")
    for code in ("LT-0101", "BADGE:0666"):
        cli(kiosk, "inject", "scan", code)
        kiosk.systemd.receive()  # read the notify socket as systemd does
    doc = until_state(kiosk, "preview")
    kiosk.systemd.receive()
    shown = "".join(doc["display"])
    assert ONCE in shown and "\\\\" not in shown, doc["display"]
    plain = subprocess.run(
        [sys.executable, "-m", "kiosk", "status"],
        env=kiosk.env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert plain.returncode == 0, plain
    text = "".join(line.removeprefix("  | ") for line in plain.stdout.splitlines())
    assert ONCE in text and "\\\\" not in plain.stdout and "\x1b" not in plain.stdout
