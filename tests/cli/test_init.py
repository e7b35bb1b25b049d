"""Creating a database is a deliberate act; nothing else creates one.

A missing file means a wrong path or a lost disk, not a new room: the
kiosk daemon and every read or change refuse it, and only ``init``,
``case init`` and ``demo seed`` create one.
"""

from __future__ import annotations

import subprocess

import pytest

from kiosk.store import migrations

from .conftest import ACTOR, ASSETTRACK


def test_init_creates_once_then_leaves_it(at, tmp_path):
    path = tmp_path / "new" / "assettrack.db"
    run = at("init", json=True, db=path)
    assert run.code == 0 and run.doc["created"] is True
    assert run.doc["schema_version"] == migrations.LATEST
    assert at("case", "init", "CART-A", "--slots", "2", db=path).code == 0
    again = at("init", json=True, db=path)
    assert again.code == 0 and again.doc["created"] is False
    assert at("case", "list", json=True, db=path).doc[0]["case"] == "CART-A"


@pytest.mark.parametrize(
    "argv",
    [
        ("case", "list"),
        ("where", "LT-0001"),
        ("asset", "list"),
        ("custody", "list"),
        ("log",),
        ("person", "add", "0042", "Alice Ng"),
        ("stock-in", "LT-0001"),
    ],
)
def test_commands_never_create_a_database(at, tmp_path, argv):
    path = tmp_path / "nope" / "x.db"
    run = at(*argv, json=True, db=path)
    assert run.code == 4 and run.doc["error"]["code"] == "no_database", run
    assert str(path) in run.doc["error"]["message"]
    assert not path.parent.exists()


def test_run_refuses_a_missing_database_without_creating_it(env, tmp_path):
    path = tmp_path / "gone.db"
    proc = subprocess.run(
        [str(ASSETTRACK), "--db", str(path), "--actor", ACTOR, "run", "--sim"],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 78, proc.stderr
    assert "no database at" in proc.stderr and "assettrack init" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not path.exists()


@pytest.mark.parametrize("argv", [("case", "init", "CART-A", "--slots", "3"), ("demo", "seed")])
def test_creators(at, tmp_path, argv):
    path = tmp_path / "room.db"
    assert at(*argv, db=path).code == 0
    assert path.exists()
