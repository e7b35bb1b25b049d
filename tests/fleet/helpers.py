"""Helpers for the fleet tests: a long backlog quickly, the long-running sync, waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from kiosk.domain import assets, slots
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import run_in
from kiosk.domain.placement import Move
from kiosk.domain.types import SlotRef
from kiosk.store.db import Database

ACTOR = "tester"


def backlog(db: Database, events: int, *, tag: str = "BL-1") -> None:
    """Append about ``events`` events in one transaction: ``tag`` moving between two slots."""
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM slots WHERE case_name = 'BL'").fetchone() is None:
            conn.executemany(
                "INSERT INTO slots (case_name, slot_position) VALUES ('BL', ?)", [(1,), (2,)]
            )
        if assets.find(conn, tag) is None:
            run_in(conn, AddAsset(tag=tag, into=SlotRef("BL", 1)), actor=ACTOR)
            events -= 1
        for _ in range(events):
            here = slots.slot_of(conn, tag)
            there = SlotRef("BL", 2 if here == SlotRef("BL", 1) else 1)
            run_in(conn, Move(tag, there), actor=ACTOR)


def newest(db_path: Path) -> int:
    with Database(db_path) as db:
        return int(db.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])


def wait_for(predicate, timeout: float = 60.0, step: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(step)


def write_config(path: Path, kiosk, interval: float = 0.2) -> Path:
    path.write_text(
        f'[fleet]\ndsn = "{kiosk.dsn}"\nkiosk = "{kiosk.name}"\ninterval = {interval}\n'
    )
    return path


def start_sync(kiosk, config: Path, *extra: str) -> subprocess.Popen:
    """The long-running ``assettrack sync``, as its systemd unit starts it."""
    env = {**os.environ, "ASSETTRACK_CONFIG": str(config)}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--db", str(kiosk.path), "sync", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def stop_sync(proc: subprocess.Popen) -> tuple[int, str]:
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err
