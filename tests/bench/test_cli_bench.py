"""CLI start-up: ``assettrack where TAG`` against ``import sqlite3`` in one run.

Technicians type ``where`` over SSH all day; its wall time is mostly
interpreter start-up and imports. The baseline is the same interpreter
running ``-c "import sqlite3"`` (the least any command needs), measured
interleaved with the command so that machine load hits both alike.
Target: at most 3x. Byte-code is compiled first, as on an installed system.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kiosk
from kiosk.ops import demo
from kiosk.store.db import Database

pytestmark = pytest.mark.bench
ROUNDS = 60
ASSETTRACK = Path(sys.executable).with_name("assettrack")


def _best(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, float]:
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(ROUNDS):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def test_where_against_import_sqlite3(tmp_path):
    path = tmp_path / "assettrack.db"
    with Database(path) as db:
        demo.seed(db)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("ASSETTRACK_DB", None)
    # As on the Pi: the database named by the (full, example) config file.
    example = Path(__file__).parents[2] / "deploy" / "assettrack.example.toml"
    config = tmp_path / "assettrack.toml"
    config.write_text(
        example.read_text().replace("[database]", f"[database]\npath = {str(path)!r}", 1)
    )
    compileall.compile_dir(Path(kiosk.__file__).parent, quiet=1)
    where = [str(ASSETTRACK), "--db", str(path), "where", "LT-0101"]
    found = _best(
        {
            "python -c 'import sqlite3'": [sys.executable, "-c", "import sqlite3"],
            "assettrack where TAG": where,
            "assettrack --json where TAG": [*where[:3], "--json", *where[3:]],
            "assettrack where UNKNOWN (exit 4)": [*where[:-1], "NO-SUCH-TAG"],
            "assettrack --config FILE where TAG": [
                str(ASSETTRACK),
                "--config",
                str(config),
                "where",
                "LT-0101",
            ],
        },
        env,
    )
    # python3 on PATH may be a version-manager shim (a shell script): shown
    # for reference, measured apart so that its children do not load the loop.
    found |= _best({"python3 -c 'import sqlite3' (PATH)": ["python3", "-c", "import sqlite3"]}, env)
    base = found["python -c 'import sqlite3'"]
    print()
    for name, seconds in found.items():
        print(f"  {name:<36} {seconds * 1e3:7.1f} ms  {seconds / base:5.2f}x")
    assert found["assettrack where TAG"] <= 3 * base, "where is more than 3x import sqlite3"
