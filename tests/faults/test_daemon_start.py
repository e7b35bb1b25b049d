"""A database the kiosk cannot use: ``assettrack run`` refuses to start, in one line.

Damaged, truncated, not a database, somebody else's SQLite file, a newer
schema, a read-only file system, a directory it may not write: each must end
the process before READY=1 with one ``error:`` line on stderr and the exit
code that assettrack.service lists in ``RestartPreventExitStatus=`` (systemd
must not restart into a fault only a person can fix), and ``assettrack
doctor`` must fail its database check saying why. The unit must also bound
restarts for the faults that may heal (a full disk, a lock).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from kiosk.cli.run_cmd import EXIT_NEEDS_A_PERSON
from kiosk.ops import demo
from kiosk.store.db import Database
from tests.daemon.test_end_to_end import spawn
from tests.deploy.test_unit import UNIT, one, parse_unit
from tests.faults.helpers import small_tmpfs

NOBODY = 65534


def seeded(path):
    with Database(path) as db:
        demo.seed(db)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    return path


def truncated(path):
    data = seeded(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def scribbled(path):
    """The header survives; every page after the first is overwritten."""
    data = seeded(path).read_bytes()
    path.write_bytes(data[:4096] + b"\xa5" * (len(data) - 4096))


def not_a_database(path):
    path.write_text("tag,name\nLT-0101,ThinkPad\n" * 200)


def someone_elses(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()


def newer_schema(path):
    seeded(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()


def doctor_explains(path, config, words):
    """``assettrack doctor`` fails the database check and says the same thing."""
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "--db", str(path)]
        + ["--json", "doctor"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1, out
    check = next(c for c in json.loads(out.stdout) if c["check"] == "database")
    assert check["status"] == "FAIL" and any(w in check["detail"] for w in words), check


def refuses_to_start(proc, *words):
    """The process exits on its own, non-zero, before READY=1, saying why in one line."""
    try:
        out, err = proc.communicate(timeout=30)
        lines = proc.systemd.lines()
    finally:
        proc.systemd.close()
    assert "READY=1" not in lines, lines
    assert proc.returncode == EXIT_NEEDS_A_PERSON, (proc.returncode, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    assert any(w in err for w in words), err
    return err


@pytest.mark.parametrize(
    "damage, words, doctor_words",
    [
        (truncated, ("damaged",), ("malformed",)),
        (scribbled, ("damaged",), ("malformed",)),
        (not_a_database, ("not a database",), ("not a database",)),
        (someone_elses, ("not an AssetTrack one",), ("not an AssetTrack database",)),
        (newer_schema, ("newer than this AssetTrack knows",), ("schema version 999",)),
    ],
)
def test_unusable_file_refuses_to_start(damage, words, doctor_words, short_tmp):
    path = short_tmp / "assettrack.db"
    damage(path)
    before = path.read_bytes()
    refuses_to_start(spawn(path, short_tmp), *words)
    assert path.read_bytes() == before  # refused, not "repaired"
    doctor_explains(path, short_tmp / "none.toml", doctor_words)


def test_read_only_file_system_refuses_to_start(tmp_path, short_tmp):
    with small_tmpfs(tmp_path) as mnt:
        path = seeded(mnt / "assettrack.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        refuses_to_start(spawn(path, short_tmp), "read-only")
        doctor_explains(path, short_tmp / "none.toml", ("read-only file system",))


def test_directory_it_may_not_write_refuses_to_start(short_tmp):
    """As an unprivileged user (root ignores modes): WAL needs to create files beside the db."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the daemon as another user")
    try:
        subprocess.run([sys.executable, "-c", ""], user=NOBODY, group=NOBODY, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"this Python cannot run as an unprivileged user here: {exc}")
    data = short_tmp / "data"
    data.mkdir()
    path = seeded(data / "assettrack.db")
    for p in (path, data, short_tmp):
        p.chmod(0o755 if p.is_dir() else 0o644)  # readable by anyone, writable by root only
    err = refuses_to_start(spawn(path, short_tmp, user=NOBODY, group=NOBODY), "permission")
    assert "write permission on directory" in err


def test_unit_does_not_restart_into_a_permanent_fault():
    unit = parse_unit(UNIT.read_text())
    assert one(unit, "Service.Restart") == "on-failure"
    prevent = one(unit, "Service.RestartPreventExitStatus").split()
    assert str(EXIT_NEEDS_A_PERSON) in prevent and "2" in prevent
    # Faults that may heal are retried, but not in a tight loop, and not forever:
    # the start limit must trip before its interval lets the count start over.
    restart_s = int(one(unit, "Service.RestartSec").removesuffix("s"))
    burst = int(one(unit, "Unit.StartLimitBurst"))
    interval_s = int(one(unit, "Unit.StartLimitIntervalSec").removesuffix("s"))
    assert restart_s >= 1
    assert burst * restart_s < interval_s
