"""The fleet sync's unit: verifies cleanly, as locked down as a networked service can be.

Checked on a copy whose ExecStart= points at an executable that exists, as
for assettrack.service (see test_unit.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deploy.test_unit import (
    REPO,
    analyze,
    needs_analyze,
    one,
    parse_unit,
    stand_in_copy,
)

UNIT = REPO / "deploy" / "assettrack-sync.service"
# Above the kiosk's 1.0 only by what talking to another machine takes: no
# PrivateNetwork=, AF_INET/AF_INET6, no IP allow list (the server's address
# is the site's to add in a drop-in).
MAX_EXPOSURE = 1.2


@pytest.fixture
def unit_copy(tmp_path: Path) -> Path:
    return stand_in_copy(UNIT, tmp_path)


@needs_analyze
def test_verify_is_clean_and_exposure_low(unit_copy: Path) -> None:
    res = analyze("verify", str(unit_copy), cwd=unit_copy.parent)
    assert res.returncode == 0, res.stdout + res.stderr
    res = analyze("security", "--offline=true", "--no-pager", str(unit_copy), cwd=unit_copy.parent)
    if res.returncode != 0 and "unrecognized" in res.stderr:
        pytest.skip("systemd-analyze is older than 250 and has no --offline")
    m = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", res.stdout + res.stderr)
    assert m and float(m.group(1)) <= MAX_EXPOSURE, res.stdout + res.stderr


def test_runs_the_sync_and_stops_for_what_needs_a_person() -> None:
    unit = parse_unit(UNIT.read_text())
    assert one(unit, "Service.ExecStart").endswith(" sync")
    assert one(unit, "Service.User") == "assettrack"
    assert one(unit, "Service.Restart") == "on-failure"
    # 3: a fork or a rollback was refused; restarting cannot fix it.
    assert set(one(unit, "Service.RestartPreventExitStatus").split()) == {"2", "3", "4"}
    assert one(unit, "Service.ProtectSystem") == "strict"
    assert one(unit, "Service.ReadWritePaths") == "/var/lib/assettrack"
