"""The systemd unit file: verifies cleanly, and what no container can show.

What the unit does under a real systemd (Type=notify readiness, the
watchdog, the user and groups, the stop time, the installed unit's
exposure) is checked by running it: tests/deploy/test_container.py. What
stays here needs no boot: ``systemd-analyze verify`` and the offline
security rating, and the device and GPIO settings a container without
the Pi's hardware cannot exercise.

``systemd-analyze verify`` rejects a unit whose ExecStart= binary does not
exist, and /opt/assettrack/venv/bin/assettrack only exists on an installed
Pi. So the checks run on a copy of the unit, in a temporary directory, with
ExecStart= pointing at a stand-in executable created there; everything else
in the copy is byte-for-byte the shipped unit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "assettrack.service"
EXEC = "/opt/assettrack/venv/bin/assettrack"
MAX_EXPOSURE = 1.0

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze not installed (apt-get install systemd)",
)


def parse_unit(text: str) -> dict[str, list[str]]:
    """Section-qualified keys ("Service.DeviceAllow") to all their values, in order."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


@pytest.fixture(scope="module")
def unit() -> dict[str, list[str]]:
    return parse_unit(UNIT.read_text())


def one(unit: dict[str, list[str]], key: str) -> str:
    values = unit.get(key)
    assert values, f"{key} is not set"
    return values[-1]


@pytest.fixture
def unit_copy(tmp_path: Path) -> Path:
    """The shipped unit with ExecStart= rewritten to an executable that exists."""
    return stand_in_copy(UNIT, tmp_path)


def stand_in_copy(unit: Path, tmp_path: Path) -> Path:
    """A copy of ``unit`` in ``tmp_path`` whose ExecStart= runs a stand-in that exists."""
    stand_in = tmp_path / "bin" / "assettrack"
    stand_in.parent.mkdir()
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    text = unit.read_text()
    assert f"ExecStart={EXEC} " in text
    copy = tmp_path / unit.name
    copy.write_text(text.replace(f"ExecStart={EXEC} ", f"ExecStart={stand_in} "))
    return copy


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_analyze
def test_verify_is_clean(unit_copy: Path) -> None:
    res = analyze("verify", str(unit_copy), cwd=unit_copy.parent)
    ours = [line for line in (res.stdout + res.stderr).splitlines() if "assettrack" in line]
    assert res.returncode == 0, res.stdout + res.stderr
    assert ours == [], "\n".join(ours)


@needs_analyze
def test_security_exposure_at_most_one(unit_copy: Path) -> None:
    res = analyze("security", "--offline=true", "--no-pager", str(unit_copy), cwd=unit_copy.parent)
    if res.returncode != 0 and "offline" in res.stderr and "unrecognized" in res.stderr:
        pytest.skip("systemd-analyze is older than 250 and has no --offline")
    out = res.stdout + res.stderr
    m = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", out)
    assert m, out
    exposure = float(m.group(1))
    assert exposure <= MAX_EXPOSURE, out


def test_working_directory_is_writable_under_protect_system(
    unit: dict[str, list[str]],
) -> None:
    # ProtectSystem=strict leaves only the service's own directories writable;
    # lgpio's notification pipes go to the working directory or $LG_WD.
    assert one(unit, "Service.ProtectSystem") == "strict"
    writable = ("/var/lib/assettrack", "/run/assettrack")
    assert one(unit, "Service.WorkingDirectory").startswith(writable)
    env = dict(v.split("=", 1) for v in unit["Service.Environment"])
    assert env["LG_WD"].startswith(writable)
    assert env["GPIOZERO_PIN_FACTORY"] == "lgpio"


def test_devices_closed_except_gpio_i2c_serial(unit: dict[str, list[str]]) -> None:
    assert one(unit, "Service.DevicePolicy") == "closed"
    allowed = {v.split()[0] for v in unit["Service.DeviceAllow"]}
    assert {"char-gpiochip", "char-i2c", "char-ttyACM"} <= allowed
    assert allowed <= {"char-gpiochip", "char-i2c", "char-ttyACM", "char-ttyUSB"}
    # PrivateDevices=yes would hide the very nodes the kiosk needs.
    assert unit.get("Service.PrivateDevices", ["no"])[-1] in ("no", "false")


def test_class_drivers_are_loaded_before_start(unit: dict[str, list[str]]) -> None:
    # systemd drops a DeviceAllow= class absent from /proc/devices at start.
    after = " ".join(unit.get("Unit.After", [])).split()
    wants = " ".join(unit.get("Unit.Wants", [])).split()
    for module in ("i2c_dev", "cdc_acm"):
        assert f"modprobe@{module}.service" in after
        assert f"modprobe@{module}.service" in wants
