"""The record at scale: replay of 1,000,000 events, ``doctor`` on 100,000 assets.

The room is built as its log says, with bulk inserts: 100 cases of 50 slots
and 500 people, 100,000 assets added (5,000 into slots), then stock-outs and
stock-ins of the slotted ones up to 1,000,000 events, the last 2,000 left
out on loan. The tables are written from the same plan, independently of the
replay, so the replay agreeing with them checks it at scale too.

Asserted: replay in-process at most 2x reading the same rows and parsing
their details (the floor any replay pays), measured in the same run. That is
< 30 s on a Pi for the 1M events. Reported: ``log verify --replay`` and
``doctor`` wall time through the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from kiosk.store import replay
from kiosk.store.db import Database
from tests.bench.chain import insert_chain

pytestmark = [pytest.mark.bench, pytest.mark.timeout(1800)]
#: Replay's cost over reading and parsing the rows: one dict update per event.
REPLAY_RATIO = 2.0
CASES, SLOTS, ASSETS, EVENTS, PEOPLE = 100, 50, 100_000, 1_000_000, 500
SLOTTED = CASES * SLOTS
OUT_AT_END = 2_000


def _slot(i: int) -> tuple[str, int]:
    return f"C{i % CASES:03d}", i // CASES + 1


def _plan():
    """(op, asset, from_slot, to_slot, person, details) for every event, in order."""
    for c in range(CASES):
        yield "case_init", None, None, None, None, {"case": f"C{c:03d}", "slots": SLOTS, "was": 0}
    for b in range(PEOPLE):
        yield "person_add", None, None, None, f"B{b:04d}", {"name": f"Person {b}"}
    for i in range(ASSETS):
        home = _slot(i) if i < SLOTTED else (None, None)
        into = f"{home[0]}:{home[1]}" if i < SLOTTED else None
        details = {"name": f"Laptop {i}", "model": "T14", "serial": "", "notes": ""}
        details |= {"home_case": home[0], "home_pos": home[1]}
        yield "add", f"LT-{i:06d}", None, into, None, details
    pairs = (EVENTS - CASES - PEOPLE - ASSETS - OUT_AT_END) // 2
    for k in range(pairs):
        i = k % SLOTTED
        where, badge = "{}:{}".format(*_slot(i)), f"B{i % PEOPLE:04d}"
        yield "stock_out", f"LT-{i:06d}", where, None, badge, {"due": None}
        yield "stock_in", f"LT-{i:06d}", None, where, badge, {"due": None}
    for i in range(OUT_AT_END):
        where = "{}:{}".format(*_slot(i))
        yield "stock_out", f"LT-{i:06d}", where, None, f"B{i % PEOPLE:04d}", {"due": None}


def _build(path):
    db = Database(path)
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO people VALUES (?, ?, 'x')",
            [(f"B{b:04d}", f"Person {b}") for b in range(PEOPLE)],
        )
        rows = []
        for i in range(ASSETS):
            home = _slot(i) if i < SLOTTED else (None, None)
            out = i < OUT_AT_END
            status, holder = ("IN_CUSTODY", f"B{i % PEOPLE:04d}") if out else ("IN_STOCK", None)
            rows.append((f"LT-{i:06d}", f"Laptop {i}", "T14", status, *home, holder))
        conn.executemany(
            "INSERT INTO assets (tag, name, model, status, home_case, home_pos, custodian, "
            "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, 'x', 'x')",
            rows,
        )
        conn.executemany(
            "INSERT INTO slots VALUES (?, ?, ?)",
            [
                (*_slot(i), f"LT-{i:06d}" if OUT_AT_END <= i < SLOTTED else None)
                for i in range(CASES * SLOTS)
            ],
        )
        insert_chain(
            conn,
            (
                (*event, json.dumps(details, sort_keys=True, separators=(",", ":")))
                for *event, details in _plan()
            ),
        )
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def _cli(path, *args):
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--db", str(path), "--json", *args],
        capture_output=True,
        text=True,
        env={"ASSETTRACK_CONFIG": str(path.with_name("none.toml")), "PATH": "/usr/bin:/bin"},
    )
    return time.perf_counter() - start, out


def test_replay_and_doctor_at_scale(tmp_path):
    path = tmp_path / "record.db"
    path.with_name("none.toml").write_text("")
    t0 = time.perf_counter()
    db = _build(path)
    built = time.perf_counter() - t0

    with db.read() as conn:
        s = time.perf_counter()
        for row in conn.execute(
            "SELECT id, op, asset, from_slot, to_slot, person, details FROM events"
        ):
            json.loads(row[6])
        read_s = time.perf_counter() - s
        s = time.perf_counter()
        state = replay.replay(conn)
        replay_s = time.perf_counter() - s
        s = time.perf_counter()
        _, differences = replay.compare(conn)
        compare_s = time.perf_counter() - s
    db.close()
    print(f"\nbuilt {built:.1f} s, read {read_s:.2f} s, replay {replay_s:.2f} s", flush=True)
    assert state.events == EVENTS and state.problems == []
    assert differences == [], [str(d) for d in differences[:5]]

    verify_s, verify = _cli(path, "log", "verify", "--replay")
    assert verify.returncode == 0, verify.stderr + verify.stdout
    print(f"log verify --replay {verify_s:.2f} s", flush=True)
    doctor_s, doctor = _cli(path, "doctor")
    checks = {c["check"]: c["status"] for c in json.loads(doctor.stdout)}
    assert checks["replay"] == "ok" and checks["event chain"] == "ok", checks

    print(
        f"\nrecord: {ASSETS:,} assets, {EVENTS:,} events (built in {built:.1f} s)\n"
        f"  reading + parsing      {read_s:6.2f} s (baseline)\n"
        f"  replay                 {replay_s:6.2f} s  {replay_s / read_s:4.1f}x baseline "
        f"(target <= {REPLAY_RATIO}x; < 30 s on a Pi)\n"
        f"  replay + compare       {compare_s:6.2f} s\n"
        f"  log verify --replay    {verify_s:6.2f} s CLI wall\n"
        f"  doctor                 {doctor_s:6.2f} s CLI wall"
    )
    assert replay_s <= REPLAY_RATIO * read_s, "replay costs more than reading the log"
