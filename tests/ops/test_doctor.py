"""``doctor``: every check ok, FAIL or skipped; exit 1 on any FAIL; writes nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.ops import doctor
from tests.daemon.helpers import SLOT_PINS

HARDWARE = """
[scanner]
backend = "serial"
port = "{dev}/assettrack-scanner"

[leds]
backend = "gpio"
[leds.slots]
{slots}

[buttons]
backend = "gpio"

[display]
backend = "ssd1306"
i2c_port = 1
"""


@pytest.fixture
def devices(tmp_path, monkeypatch):
    dev = tmp_path / "dev"
    dev.mkdir()
    monkeypatch.setattr(doctor, "DEV", dev)
    monkeypatch.setattr(doctor, "UNIT_FILES", (tmp_path / "assettrack.service",))
    return dev


def _by_check(run):
    return {c["check"]: c for c in run.doc}


def test_healthy_room(seeded, devices):
    run = seeded("doctor", json=True)
    assert run.code == 0, run
    checks = _by_check(run)
    assert all(set(c) == {"check", "status", "detail"} for c in run.doc)
    for name in ("database", "integrity", "foreign keys", "event chain", "config"):
        assert checks[name]["status"] == "ok", checks[name]
    invariants = [c for c in run.doc if c["check"].startswith("invariant: ")]
    assert len(invariants) >= 4 and all(c["status"] == "ok" for c in invariants)
    assert checks["event chain"]["detail"] == "12 events"
    for name in ("GPIO chip", "I2C bus", "scanner", "daemon"):
        assert checks[name]["status"] == "skipped", checks[name]
        assert checks[name]["detail"]
    human = seeded("doctor")
    assert human.out.splitlines()[-1] == "all checks passed"
    assert all(len(line) <= 80 for line in human.out.splitlines())


def test_doctor_writes_nothing(seeded, db_file, devices):
    digest = hashlib.sha256(db_file.read_bytes()).hexdigest()
    names = sorted(p.name for p in db_file.parent.iterdir())
    assert seeded("doctor").code == 0
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in db_file.parent.iterdir()) == names


def _spoil(db_file, *sql):
    with sqlite3.connect(db_file) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in sql:
            conn.execute(statement)


@pytest.mark.parametrize(
    ("sql", "failing"),
    [
        (
            ["UPDATE assets SET custodian = NULL, due = NULL WHERE tag = 'LT-0103'"],
            "invariant: custody without custodian",
        ),
        (
            [
                "DROP TRIGGER assets_leave_slot_first",
                "UPDATE assets SET status = 'RETIRED' WHERE tag = 'LT-0101'",
            ],
            "invariant: slotted asset not in stock",
        ),
        (
            [
                "DROP TRIGGER slots_hold_only_stock_update",
                "UPDATE slots SET current_asset_tag = 'GHOST' WHERE case_name = 'CART-A' "
                "AND slot_position = 3",
            ],
            "foreign keys",
        ),
        (
            ["DROP TRIGGER events_no_delete", "DELETE FROM events WHERE id = 4"],
            "event chain",
        ),
    ],
)
def test_broken_database_fails_the_check(seeded, db_file, devices, sql, failing):
    _spoil(db_file, *sql)
    run = seeded("doctor", json=True)
    assert run.code == 1
    failed = {c["check"] for c in run.doc if c["status"] == "FAIL"}
    assert failing in failed, run.doc
    human = seeded("doctor")
    assert human.code == 1 and "checks failed" in human.out and "FAIL" in human.out


def test_missing_or_foreign_database(at, tmp_path, devices):
    run = at("doctor", json=True, db=tmp_path / "absent.db")
    assert run.code == 1 and run.doc[0]["check"] == "database"
    assert "no database" in run.doc[0]["detail"]
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    run = at("doctor", json=True, db=other)
    assert run.code == 1 and "not an AssetTrack database" in run.doc[0]["detail"]


def test_bad_config_fails_but_the_rest_still_runs(seeded, env, devices):
    with open(env["ASSETTRACK_CONFIG"], "w") as f:
        f.write("[leds]\nbackend = 'laser'\n")
    run = seeded("doctor", json=True)
    assert run.code == 1
    checks = _by_check(run)
    assert checks["config"]["status"] == "FAIL" and "leds.backend" in checks["config"]["detail"]
    assert checks["event chain"]["status"] == "ok"
    assert checks["GPIO chip"]["status"] == "skipped"


def test_declared_hardware_must_be_present(seeded, env, devices):
    with open(env["ASSETTRACK_CONFIG"], "w") as f:
        # A light for every demo slot: the lights check has nothing to report.
        slots = "\n".join(f'"{slot}" = {pin}' for slot, pin in SLOT_PINS.items())
        f.write(HARDWARE.format(dev=devices, slots=slots))
    checks = _by_check(seeded("doctor", json=True))
    for name in ("GPIO chip", "I2C bus", "scanner"):
        assert checks[name]["status"] == "FAIL", checks[name]
    assert "i2c-1" in checks["I2C bus"]["detail"]
    for name in ("gpiochip0", "i2c-1", "assettrack-scanner"):
        (devices / name).touch()
    run = seeded("doctor", json=True)
    checks = _by_check(run)
    for name in ("GPIO chip", "I2C bus", "scanner"):
        assert checks[name]["status"] == "ok", checks[name]
    assert run.code == 0


def test_daemon_set_up_but_not_running(seeded, devices, tmp_path):
    (tmp_path / "assettrack.service").write_text("[Unit]\n")
    run = seeded("doctor", json=True)
    assert run.code == 1
    assert _by_check(run)["daemon"]["status"] == "FAIL"


def test_daemon_running(seeded, devices, fake_daemon):
    run = seeded("doctor", json=True)
    assert run.code == 0
    daemon = _by_check(run)["daemon"]
    assert daemon["status"] == "ok" and "idle" in daemon["detail"]


def test_an_empty_room_says_to_create_the_cases(at, env, devices):
    """On a fresh database doctor names the case init matching the LED map."""
    Path(env["ASSETTRACK_CONFIG"]).write_text(
        '[leds]\nbackend = "sim"\n[leds.slots]\n"CART-A:1" = 0\n"CART-A:12" = 1\n"CART-B:4" = 2\n'
    )
    run = at("doctor", json=True)
    cases = next(c for c in run.doc if c["check"] == "cases")
    assert run.code == 0 and cases["status"] == "todo"
    assert cases["detail"] == (
        "no cases yet: run `assettrack case init CART-A --slots 12; "
        "assettrack case init CART-B --slots 4`"
    )
    human = at("doctor").out
    assert "no cases yet" in human and "all checks passed; 1 to do" in human


def test_daemon_replies_from_the_real_daemon_process(scanner_pty, seeded_path, short_tmp):
    """doctor against ``assettrack run`` itself, through its real control server.

    The fake socket in ``fake_daemon`` always answers idle; here the reply is
    the daemon's own, through its real control server.
    """
    import subprocess
    import sys

    from tests.daemon.helpers import wait_for
    from tests.daemon.test_end_to_end import spawn

    kiosk = spawn(seeded_path, short_tmp, "--scanner", scanner_pty.path)

    def assettrack(*argv):
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "--db", str(seeded_path), "--json", *argv],
            env=kiosk.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return json.loads(done.stdout)

    def daemon_row():
        doc = assettrack("doctor")
        return {c["check"]: c for c in doc}["daemon"]

    try:
        assert wait_for(lambda: "READY=1" in kiosk.systemd.lines() or kiosk.poll() is not None, 60)
        assert kiosk.poll() is None
        row = daemon_row()
        assert row["status"] == "ok", row
        assert row["detail"] == f"{kiosk.socket}: idle"
        # Mid-step too; probed by doctor, the daemon still serves and still stops when told.
        assert assettrack("inject", "scan", "LT-0103")["state"] == "preview"
        assert daemon_row()["detail"] == f"{kiosk.socket}: preview"
        assert assettrack("status")["state"] == "preview"
        kiosk.terminate()
        kiosk.communicate(timeout=30)
        assert kiosk.returncode == 0
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.communicate()
        kiosk.systemd.close()
