"""Importing a large Snipe-IT file: rows per second, dry run and commit.

Figures only (no target): every row goes through the operations and appends
its events, all in one transaction.
"""

from __future__ import annotations

import csv
import time

import pytest

from kiosk.interop import importer, snipeit
from kiosk.store.db import Database

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
