"""The fleet at scale, on a real PostgreSQL server (`make bench`).

* ingest: a backlog shipped by ``sync --once`` from one kiosk, and from 20
  kiosks at once (one process each), in events per second;
* ``fleet where`` p50/p99 with 50 kiosks x 20,000 events in the ledger;
* sync lag (commit at the kiosk -> visible centrally) p50/p99 with the
  long-running sync at the default interval (5 s).

Counts: ``ASSETTRACK_BENCH_BACKLOG`` events for the single kiosk (default
200,000; the issue asks for 1,000,000), and as many in all for the 20 (a
twentieth each). The backlogs are written straight into the kiosks' files
with the log's own digest (as ``test_scale_bench`` builds its site), so
only shipping is timed. The figures are printed; nothing is asserted about time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time

import pytest

from kiosk.store import events
from kiosk.store.db import Database
from tests.bench.report import pct
from tests.fleet.helpers import backlog, start_sync, stop_sync, wait_for, write_config

pytestmark = [pytest.mark.bench, pytest.mark.timeout(3600)]
BACKLOG = int(os.environ.get("ASSETTRACK_BENCH_BACKLOG", "200000"))


def _fill(path, count: int, *, assets: int = 500) -> None:
    """``count`` chained events: assets moving between slots, with every 50th a loan."""
    rng = random.Random(count)
    rows, prev = [], events.GENESIS
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for i in range(1, count + 1):
        tag = f"LT-{rng.randrange(assets):05d}"
        if i % 50 == 0:
            row = (i, stamp, "bench", "stock_out", tag, None, None, "0042",
                   '{"due":"2030-01-01"}', prev)  # fmt: skip
        else:
            row = (i, stamp, "bench", "move", tag, f"A:{rng.randrange(1, 99)}",
                   f"A:{rng.randrange(1, 99)}", None, "{}", prev)  # fmt: skip
        prev = events.digest(row)
        rows.append((*row, prev))
    with Database(path) as db, db.write() as conn:
        conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)


def _ship(kiosks, env) -> float:
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-m", "kiosk", *k.sync_args("--once")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in kiosks
    ]  # fmt: skip
    for p in procs:
        out, err = p.communicate(timeout=7200)
        assert p.returncode == 0, err
    return time.perf_counter() - start


def test_ingest_one_kiosk_then_twenty_at_once(central, make_kiosk, env):
    one = make_kiosk("SOLO")
    _fill(one.path, BACKLOG)
    took = _ship([one], env)
    twenty = [make_kiosk(f"ROOM-{i:02d}") for i in range(20)]
    for k in twenty:
        _fill(k.path, BACKLOG // 20)
    took20 = _ship(twenty, env)
    total = central.query("SELECT count(*) FROM fleet.ledger")[0][0]
    assert total == BACKLOG + 20 * (BACKLOG // 20)
    print(f"\nfleet ingest, 1 kiosk:   {BACKLOG} events in {took:.1f} s = {BACKLOG / took:,.0f}/s")
    n20 = 20 * (BACKLOG // 20)
    print(f"fleet ingest, 20 kiosks: {n20} events in {took20:.1f} s = {n20 / took20:,.0f}/s")


def test_fleet_where_p99_with_50_kiosks(central, cli):
    kiosks, per_kiosk, assets = 50, 20_000, 2_000
    central.register(*[f"K{i:02d}" for i in range(kiosks)])
    # Bulk-loaded by the owner with the arrival trigger off: this measures the
    # question, not the ingest (measured above). State: 2,000 assets per kiosk.
    with central.superuser() as conn:
        conn.execute("ALTER TABLE fleet.ledger DISABLE TRIGGER ledger_accept")
        conn.execute(
            "INSERT INTO fleet.ledger SELECT 'K' || lpad(k::text, 2, '0'), i, '', 'b', 'move', "
            "'LT-' || (i %% %s), 'A:1', 'A:2', NULL, '{}', md5(i::text), md5(i::text), now() "
            "FROM generate_series(0, %s) k, generate_series(1, %s) i",
            (assets, kiosks - 1, per_kiosk),
        )
        conn.execute("ALTER TABLE fleet.ledger ENABLE TRIGGER ledger_accept")
        conn.execute(
            "INSERT INTO fleet.assets SELECT 'K' || lpad(k::text, 2, '0'), "
            "'LT-' || k || '-' || a, '', 'IN_STOCK', 'A:' || a, NULL, NULL, NULL, 1, '', now() "
            "FROM generate_series(0, %s) k, generate_series(1, %s) a",
            (kiosks - 1, assets),
        )
        conn.execute("ANALYZE")
    rng = random.Random(1)
    samples = []
    for _ in range(500):
        tag = f"LT-{rng.randrange(kiosks)}-{rng.randrange(1, assets + 1)}"
        start = time.perf_counter()
        run = cli("fleet", "where", tag, "--dsn", central.dsn, json=True)
        samples.append(time.perf_counter() - start)
        assert run.code == 0, run
    # The question alone, on one open connection (what a staff tool keeping
    # its connection would see).
    from kiosk.fleet import queries

    query = []
    with central.superuser() as conn:
        for _ in range(2000):
            tag = f"LT-{rng.randrange(kiosks)}-{rng.randrange(1, assets + 1)}"
            start = time.perf_counter()
            queries.where(conn, tag)
            query.append(time.perf_counter() - start)
    print(f"\nfleet where query alone: p50 {pct(query, 50) * 1e3:.2f} ms, "
          f"p99 {pct(query, 99) * 1e3:.2f} ms")  # fmt: skip
    print(f"fleet where (50 kiosks x {per_kiosk} events, {kiosks * assets} assets; "
          f"connect included): p50 {pct(samples, 50) * 1e3:.1f} ms, "
          f"p99 {pct(samples, 99) * 1e3:.1f} ms")  # fmt: skip


def test_sync_lag_at_the_default_interval(central, make_kiosk, tmp_path):
    kiosk = make_kiosk("ROOM-1")
    proc = start_sync(kiosk, write_config(tmp_path / "sync.toml", kiosk, interval=5.0))
    commits = int(os.environ.get("ASSETTRACK_BENCH_LAG_COMMITS", "40"))
    rng = random.Random(2)
    try:
        with kiosk.database() as db:
            for _ in range(commits):
                backlog(db, 1)
                time.sleep(rng.uniform(0.2, 2.5))
            last = db.conn.execute("SELECT max(id) FROM events").fetchone()[0]
        wait_for(lambda: central.query("SELECT max(id) FROM fleet.ledger")[0][0] == last,
                 timeout=60)  # fmt: skip
    finally:
        stop_sync(proc)
    rows = central.query(
        "SELECT extract(epoch FROM received - time::timestamptz) FROM fleet.ledger ORDER BY id"
    )
    lags = [float(r[0]) for r in rows]
    print(f"\nsync lag at interval 5 s ({len(lags)} commits): p50 {pct(lags, 50):.2f} s, "
          f"p99 {pct(lags, 99):.2f} s, max {max(lags):.2f} s")  # fmt: skip
    print(json.dumps({"lag_p50": pct(lags, 50), "lag_p99": pct(lags, 99)}))
