"""Cases the config gives no lights, and cases that change while the kiosk runs.

Against the real daemon: a kiosk whose slot map lights only CART-A starts
anyway, serves CART-B unlit (the OLED names the slot) and says which slots
have no light; ``doctor`` reports both kinds of mismatch. With LEDs made
from the database, a case created, resized or removed through the CLI shows
on the LEDs and in ``status`` within a tick, without a restart.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from kiosk.daemon.control import request
from tests.daemon.helpers import wait_for
from tests.daemon.test_end_to_end import spawn
from tests.faults.helpers import ready

ONLY_CART_A = "[leds.slots]\n" + "".join(f'"CART-A:{i}" = {i}\n' for i in range(1, 9))


def stop(proc) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    _, err = proc.communicate()
    proc.systemd.close()
    return err


def cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def status(proc):
    return request(proc.socket, {"cmd": "status"})


def test_a_case_without_lights_is_served_unlit(seeded_path, short_tmp):
    proc = ready(spawn(seeded_path, short_tmp, config=ONLY_CART_A))
    try:
        doc = status(proc)
        assert sorted(doc["leds"]) == [f"CART-A:{i}" for i in range(1, 9)]
        assert doc["unlit_slots"] == [f"CART-B:{i}" for i in range(1, 7)]
        # LT-0201 lives in CART-B:1: no LED to blink, the OLED says where.
        doc = request(proc.socket, {"cmd": "inject", "kind": "scan", "code": "LT-0201"})
        assert doc["state"] == "await_badge"
        assert any("CART-B:1" in line for line in doc["display"]), doc["display"]
        assert set(doc["leds"].values()) == {"off"}
        doctor = cli(proc.env, "--db", str(seeded_path), "doctor")
        checks = {c["check"]: c for c in json.loads(doctor.stdout)}
        assert checks["lights"]["status"] == "FAIL", checks["lights"]
        assert "CART-B:1" in checks["lights"]["detail"]
    finally:
        err = stop(proc)
    assert "6 slots have no light" in err and "CART-B:6" in err, err
    assert "Traceback" not in err


def test_doctor_names_lights_for_slots_that_do_not_exist(seeded_path, short_tmp):
    config = short_tmp / "lights.toml"
    lit = "".join(
        f'"CART-{c}:{i}" = {i + 10 * n}\n' for n, c in enumerate("AB") for i in range(1, 9)
    )
    config.write_text("[leds.slots]\n" + lit)
    env = {"ASSETTRACK_CONFIG": str(config), "PATH": "/usr/bin:/bin"}
    out = cli(env, "--db", str(seeded_path), "doctor")
    checks = {c["check"]: c for c in json.loads(out.stdout)}
    assert checks["lights"]["status"] == "FAIL"
    assert "CART-B:7" in checks["lights"]["detail"] and "CART-B:8" in checks["lights"]["detail"]
    config.write_text("[leds.slots]\n" + lit.replace('"CART-B:7" = 17\n"CART-B:8" = 18\n', ""))
    out = cli(env, "--db", str(seeded_path), "doctor")
    checks = {c["check"]: c for c in json.loads(out.stdout)}
    assert checks["lights"]["status"] == "ok", checks["lights"]


def test_cases_changed_meanwhile_show_within_a_tick(seeded_path, short_tmp):
    proc = ready(spawn(seeded_path, short_tmp))
    db = ["--db", str(seeded_path)]
    try:
        assert len(status(proc)["leds"]) == 14
        assert cli(proc.env, *db, "case", "init", "CART-C", "--slots", "4").returncode == 0
        assert wait_for(lambda: "CART-C:4" in status(proc)["leds"], 5, 0.02)
        assert cli(proc.env, *db, "case", "init", "CART-C", "--slots", "2", "--yes").returncode == 0
        assert wait_for(lambda: "CART-C:3" not in status(proc)["leds"], 5, 0.02)
        doc = status(proc)
        assert "CART-C:2" in doc["leds"] and doc["unlit_slots"] == []
        # A scan into the grown kiosk lights a slot that did not exist at start.
        request(proc.socket, {"cmd": "inject", "kind": "scan", "code": "LT-0999"})
        assert proc.poll() is None
    finally:
        err = stop(proc)
    assert "Traceback" not in err, err
