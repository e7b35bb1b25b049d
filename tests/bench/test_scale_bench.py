"""A site at scale: 100 cases x 50 slots, 100,000 assets, 1,000,000 events.

The room is built with bulk inserts (the event chain computed with the same
digest the log uses), then the everyday operations run through the layer.
Targets (on a Pi: ``log verify`` over 1M events under 15 s, ``custody list
--overdue`` under 100 ms) are asserted as ratios to baselines measured in the
same run, so they hold on any machine:

* ``log verify`` at most ``VERIFY_RATIO`` x the least any chain check must do:
  read every event row and hash it once (raw sqlite3 + hashlib);
* ``custody list --overdue`` (CLI wall) at most ``OVERDUE_RATIO`` x the CLI's
  cheapest database command, ``where`` one tag: the query must not cost more
  than starting the program does.

Reported: p50/p99 of where, stock-out, stock-in; file size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from kiosk.domain import assets, slots
from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.operations import execute
from kiosk.store import events
from kiosk.store.db import Database
from tests.bench.chain import insert_chain
from tests.bench.report import latencies, pct

pytestmark = [pytest.mark.bench, pytest.mark.timeout(1800)]
CASES, SLOTS, ASSETS, EVENTS, PEOPLE = 100, 50, 100_000, 1_000_000, 500
IN_CUSTODY = 10_000
VERIFY_RATIO = 3.0
OVERDUE_RATIO = 1.5


def _build(path):
    db = Database(path)
    today = dt.date.today()
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO slots VALUES (?, ?, NULL)",
            [(f"C{c:03d}", p) for c in range(CASES) for p in range(1, SLOTS + 1)],
        )
        conn.executemany(
            "INSERT INTO people VALUES (?, ?, 'x')",
            [(f"B{i:04d}", f"Person {i}") for i in range(PEOPLE)],
        )
        rows = []
        for i in range(ASSETS):
            home = (
                (f"C{i % CASES:03d}", (i // CASES) % SLOTS + 1)
                if i < CASES * SLOTS * 2
                else (None, None)
            )
            if CASES * SLOTS <= i < CASES * SLOTS + IN_CUSTODY:
                due = (today + dt.timedelta(days=(i % 30) - 3)).isoformat()
                rows.append((f"LT-{i:06d}", "IN_CUSTODY", *home, f"B{i % PEOPLE:04d}", due))
            else:
                rows.append((f"LT-{i:06d}", "IN_STOCK", *home, None, None))
        conn.executemany(
            "INSERT INTO assets (tag, status, home_case, home_pos, custodian, due, "
            "created, updated) VALUES (?, ?, ?, ?, ?, ?, 'x', 'x')",
            rows,
        )
        conn.executemany(
            "UPDATE slots SET current_asset_tag = ? WHERE case_name = ? AND slot_position = ?",
            [(f"LT-{i:06d}", f"C{i % CASES:03d}", i // CASES + 1) for i in range(CASES * SLOTS)],
        )
        insert_chain(
            conn,
            (
                ("stock_out", f"LT-{eid % ASSETS:06d}", "C000:1", None, "B0001", "{}")
                for eid in range(1, EVENTS + 1)
            ),
        )
    return db


def _cli(db_path, *args):
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, out.stdout


def _raw_chain_walk(conn) -> float:
    """Seconds to read every event and hash each row once: the floor of any verify."""
    start = time.perf_counter()
    for row in conn.execute("SELECT * FROM events ORDER BY id"):
        hashlib.sha256(repr(row).encode()).digest()
    return time.perf_counter() - start


def test_scale(tmp_path):
    path = tmp_path / "scale.db"
    t0 = time.perf_counter()
    db = _build(path)
    built = time.perf_counter() - t0
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = os.path.getsize(path)

    where = latencies(lambda i: slots.where(db.conn, f"LT-{(i * 37) % ASSETS:06d}"), 2000)
    # stock-out slotted assets, then stock them back in to their homes.
    outs = latencies(lambda i: execute(db, StockOut(f"LT-{i:06d}", "B0002"), actor="bench"), 1000)
    ins = latencies(lambda i: execute(db, StockIn(f"LT-{i:06d}"), actor="bench"), 1000)

    today = dt.date.today().isoformat()
    overdue = []
    for _ in range(20):
        s = time.perf_counter()
        with db.read() as conn:
            found = assets.listing(conn, overdue_on=today)
        overdue.append(time.perf_counter() - s)

    s = time.perf_counter()
    with db.read() as conn:
        verdict = events.verify(conn)
    verify_s = time.perf_counter() - s
    assert verdict.ok and verdict.count == EVENTS + 2000
    with db.read() as conn:
        raw_walk = _raw_chain_walk(conn)
    db.close()

    cli_where = min(_cli(path, "--json", "where", "LT-000001")[0] for _ in range(3))
    cli_overdue = min(_cli(path, "--json", "custody", "list", "--overdue")[0] for _ in range(3))
    cli_verify, out = _cli(path, "--json", "log", "verify")
    assert json.loads(out)["ok"]

    ms = 1000
    print(
        f"\nscale: {CASES}x{SLOTS} slots, {ASSETS:,} assets, {EVENTS:,} events "
        f"(built in {built:.1f} s), file {size / 2**20:.1f} MiB"
    )
    for name, xs in (("where", where), ("stock-out", outs), ("stock-in", ins)):
        print(f"  {name:<10} p50 {pct(xs, 50) * ms:6.2f} ms   p99 {pct(xs, 99) * ms:6.2f} ms")
    print(
        f"  custody overdue ({len(found)} rows): query {min(overdue) * ms:.1f} ms, "
        f"CLI wall {cli_overdue * ms:.0f} ms, {cli_overdue / cli_where:.2f}x `where` "
        f"({cli_where * ms:.0f} ms) (target <= {OVERDUE_RATIO}x; on a Pi < 100 ms)"
    )
    print(
        f"  log verify: in-process {verify_s:.2f} s, {verify_s / raw_walk:.2f}x a raw read+hash "
        f"of every event ({raw_walk:.2f} s) (target <= {VERIFY_RATIO}x; on a Pi < 15 s), "
        f"CLI wall {cli_verify:.2f} s"
    )
    assert verify_s <= VERIFY_RATIO * raw_walk, "log verify costs more than reading + hashing"
    assert cli_overdue <= OVERDUE_RATIO * cli_where, "the overdue query outweighs start-up"
