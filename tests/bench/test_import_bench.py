"""Importing a large Snipe-IT file: rows per second, dry run and commit.

Figures only (no target): every row goes through the operations and appends
its events, all in one transaction.
"""

from __future__ import annotations

import csv
import json
import statistics
import subprocess
import time

import pytest

from kiosk.interop import importer, snipeit
from kiosk.store.db import Database
from tests.cli.conftest import ASSETTRACK

pytestmark = pytest.mark.bench
ROWS = 20_000


def test_import_rate(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Asset Tag", "Item Name", "Serial Number", "Status", "Notes", "Username"])
        for i in range(ROWS):
            holder = f"user{i % 300}" if i % 4 == 0 else ""
            writer.writerow([f"T-{i:06d}", f"Laptop {i}", f"SN{i}", "", "line 1\nline 2", holder])
    with Database(tmp_path / "at.db") as db:
        start = time.perf_counter()
        sheet = snipeit.read(path)
        parsed = time.perf_counter()
        importer.run(db, sheet, actor="bench", commit=False)
        dry = time.perf_counter()
        report = importer.run(db, sheet, actor="bench", commit=True)
        done = time.perf_counter()
        again = importer.run(db, sheet, actor="bench", commit=True)
        rerun = time.perf_counter()
    assert report.count("add") == ROWS and again.count("unchanged") == ROWS
    print()
    for name, seconds in (
        ("parse", parsed - start),
        ("dry run", dry - parsed),
        ("commit", done - dry),
        ("re-import (no change)", rerun - done),
    ):
        print(f"  {name:<24} {seconds:7.2f} s  {ROWS / seconds:9.0f} rows/s")


DRY_ROWS = 200_000


def _cli(db_path, *args):
    start = time.perf_counter()
    proc = subprocess.run(
        [str(ASSETTRACK), "--db", str(db_path), "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return time.perf_counter() - start, proc


@pytest.mark.timeout(1800)
def test_stock_in_during_a_200k_row_dry_run(seeded_path, tmp_path):
    """CLI stock-in/stock-out latency while ``asset import`` dry-runs 200k rows."""
    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Asset Tag", "Item Name", "Serial Number", "Status", "Username"])
        for i in range(DRY_ROWS):
            holder = f"user{i % 300}" if i % 4 == 0 else ""
            writer.writerow([f"T-{i:06d}", f"Laptop {i}", f"SN{i}", "Pending Diagnostics", holder])
    steps = (("stock-in", "LT-0103"), ("stock-out", "LT-0103", "--to", "0042"))
    baseline = [_cli(seeded_path, *steps[i % 2])[0] for i in range(6)]
    started = time.perf_counter()
    during, failed = [], []
    # The report of 200k actions goes to a file: a pipe nobody reads would stall it.
    with open(tmp_path / "report.json", "w+", encoding="utf-8") as report:
        dry = subprocess.Popen(
            [str(ASSETTRACK), "--db", str(seeded_path), "--json", "asset", "import", str(path)],
            stdout=report,
            stderr=subprocess.PIPE,
            text=True,
        )
        while dry.poll() is None:
            seconds, proc = _cli(seeded_path, *steps[len(during) % 2])
            if dry.poll() is None:  # count only the calls that ran wholly during the dry run
                during.append(seconds)
            if proc.returncode:
                failed.append(proc.stdout)
        _, err = dry.communicate()
        total = time.perf_counter() - started
        assert dry.returncode == 0, err
        report.seek(0)
        doc = json.load(report)
    assert doc["added"] == DRY_ROWS
    assert not failed, failed[:3]
    assert during, "no CLI call ran during the dry run"
    print()
    print(f"  dry run of {DRY_ROWS} rows, whole command  {total:7.2f} s")
    print(f"  of which the import on the copy             {doc['seconds']:7.2f} s")
    print(f"  CLI stock-in/out, idle      median {statistics.median(baseline):6.3f} s")
    print(
        f"  CLI stock-in/out, dry run   median {statistics.median(during):6.3f} s"
        f"  max {max(during):6.3f} s  ({len(during)} calls, all succeeded)"
    )
