"""The file the kiosk writes is the file it opened, and only one kiosk writes it.

Against the real daemon process and real files: a database deleted or
replaced under the running kiosk is noticed before anything is shown as
done (refused commit, storage error on the OLED, one log line, exit 78 so
systemd does not restart into it), and a second ``run`` on the same
database refuses to start, naming the first.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from kiosk.cli.run_cmd import EXIT_NEEDS_A_PERSON
from kiosk.daemon.control import request
from kiosk.domain import assets
from kiosk.errors import KioskError
from kiosk.store.db import Database
from tests.daemon.test_end_to_end import spawn
from tests.faults.helpers import kiosk_process, ready


@pytest.fixture
def kiosk(seeded_path, short_tmp):
    with kiosk_process(seeded_path, short_tmp) as proc:
        yield proc


def stock_out_preview(proc):
    request(proc.socket, {"cmd": "inject", "kind": "scan", "code": "LT-0101"})
    doc = request(proc.socket, {"cmd": "inject", "kind": "scan", "code": "BADGE:0043"})
    assert doc["state"] == "preview"


def confirm(proc):
    """Press Confirm; the answer's OLED text, or None if the kiosk stopped before answering."""
    try:
        return request(proc.socket, {"cmd": "inject", "kind": "press", "button": "confirm"})
    except KioskError:
        return None


def stopped_for_a_person(proc, *words):
    assert proc.wait(15) == EXIT_NEEDS_A_PERSON
    _, err = proc.communicate()
    errors = [line for line in err.splitlines() if "ERROR" in line]
    assert len(errors) == 1, err
    for word in words:
        assert word in errors[0], errors
    assert "Traceback" not in err
    return err


def test_deleted_database_is_noticed_before_done(kiosk, seeded_path):
    stock_out_preview(kiosk)
    for suffix in ("", "-wal", "-shm"):
        seeded_path.with_name(seeded_path.name + suffix).unlink(missing_ok=True)
    answer = confirm(kiosk)
    if answer is not None:
        assert answer["display"][0] == "Storage error", answer
    stopped_for_a_person(kiosk, "deleted", str(seeded_path))
    assert not seeded_path.exists()  # nothing made a new, empty one


def test_replaced_database_is_noticed_before_done(kiosk, seeded_path, tmp_path):
    older = tmp_path / "older.db"
    with Database(seeded_path) as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(seeded_path, older)
    stock_out_preview(kiosk)
    os.replace(older, seeded_path)
    answer = confirm(kiosk)
    if answer is not None:
        assert answer["display"][0] == "Storage error", answer
    stopped_for_a_person(kiosk, "replaced", str(seeded_path))
    with Database(seeded_path) as db, db.read() as conn:
        assert assets.get(conn, "LT-0101").status == "IN_STOCK"


def test_deleted_while_idle_stops_within_a_tick(kiosk, seeded_path):
    seeded_path.unlink()
    stopped_for_a_person(kiosk, "deleted")


def test_a_second_kiosk_on_the_same_database_refuses(kiosk, seeded_path, short_tmp):
    other = short_tmp / "b"
    other.mkdir()
    second = spawn(seeded_path, other)
    try:
        assert second.wait(15) == EXIT_NEEDS_A_PERSON
        _, err = second.communicate()
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
        assert f"pid {kiosk.pid}" in lines[0] and str(seeded_path) in lines[0], lines
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate()
        second.systemd.close()
    # The first is untouched and still answers; once it stops, another may start.
    assert request(kiosk.socket, {"cmd": "status"})["pid"] == kiosk.pid
    kiosk.send_signal(signal.SIGTERM)
    assert kiosk.wait(10) == 0
    (short_tmp / "c").mkdir()
    third = ready(spawn(seeded_path, short_tmp / "c"))
    third.send_signal(signal.SIGTERM)
    assert third.wait(10) == 0
    third.communicate()
    third.systemd.close()


def test_lock_file_does_not_stop_cli_commands(kiosk, seeded_path):
    env = {**kiosk.env}
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--db", str(seeded_path), "asset", "list"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out
