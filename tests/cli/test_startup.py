"""Commands that do not touch hardware stay light: no gpiozero, luma or pyserial.

Each command runs in a fresh interpreter through the real entry point; the
modules it loaded are listed afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HARDWARE = ("gpiozero", "luma", "serial", "lgpio", "RPi", "smbus", "smbus2", "PIL")
# Not needed to answer a read; each costs every call.
HEAVY = (
    "typing",
    "hashlib",
    "logging",
    "shutil",
    "csv",
    "kiosk.domain.slots",
    "kiosk.domain.custody",
    "kiosk.store.events",
    "kiosk.interop.snipeit",
    "kiosk.daemon.loop",
    "kiosk.fleet",
    "psycopg",
)

PROBE = """
import json, sys
from kiosk.cli.main import main
code = None
try:
    code = main(sys.argv[1:])
finally:
    print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _loaded(env, db_file, *argv):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(db_file), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.fixture
def child_env(env):
    import os

    return {**os.environ, **env}


@pytest.mark.parametrize(
    "argv",
    [
        ["where", "LT-0101"],
        ["--json", "where", "LT-0101"],
        ["asset", "list"],
        ["asset", "show", "LT-0103"],
        ["custody", "list", "--overdue"],
        ["log", "verify"],
        ["doctor"],
        ["asset", "export"],
        ["--help"],
    ],
    ids=" ".join,
)
def test_no_hardware_libraries(seeded, db_file, child_env, argv):
    code, modules = _loaded(child_env, db_file, *argv)
    assert code in (0, None), code
    loaded = sorted(m for m in modules if m.split(".")[0] in HARDWARE)
    assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def test_where_loads_only_what_a_read_needs(seeded, db_file, child_env):
    code, modules = _loaded(child_env, db_file, "where", "LT-0101")
    assert code == 0
    assert sorted(modules & set(HEAVY)) == []
    assert not any(m.startswith(("kiosk.cli.asset_cmds", "kiosk.cli.data_cmds")) for m in modules)
    # Only the typed command's module is imported: the table lists the others.
    commands = {m for m in modules if m.startswith("kiosk.cli.") and m.endswith(("_cmds", "_cmd"))}
    assert commands == {"kiosk.cli.where_cmd"}
