"""A dry-run import never holds the kiosk off; a long commit says so first.

The concurrent change is a real ``assettrack stock-in`` process, or a
stock-out confirmed at the kiosk running as a process, made at the moment
the dry run is half-way through its rows (the records hand it the turn).
If the dry run held the write lock, the stock-in would fail "database
busy" (its busy timeout is short) and the kiosk's Confirm would show Busy.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess

from kiosk.interop import importer, snipeit
from kiosk.store.db import Database
from tests.cli.conftest import ASSETTRACK
from tests.daemon.test_end_to_end import cli

ROWS = 400


class Interleaved(list):
    """The sheet's records; half-way through, ``meanwhile`` runs (once)."""

    def __init__(self, records, meanwhile):
        super().__init__(records)
        self.meanwhile = meanwhile
        self.results = []

    def __iter__(self):
        for i, record in enumerate(super().__iter__()):
            if i == len(self) // 2 and not self.results:
                self.results.append(self.meanwhile())
            yield record


def _big_file(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Asset Tag", "Item Name", "Status", "Username"])
        for i in range(ROWS):
            writer.writerow([f"T-{i:05d}", f"Laptop {i}", "Pending" if i % 5 else "", ""])
    return path


def _stock_in(db_file, tmp_path, env):
    config = tmp_path / "short-busy.toml"
    config.write_text("[database]\nbusy_timeout = 0.5\n")
    return subprocess.run(
        [str(ASSETTRACK), "--db", str(db_file), "--json", "stock-in", "LT-0103"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env, "ASSETTRACK_CONFIG": str(config)},
    )


def _status(db_file, tag):
    with sqlite3.connect(db_file) as conn:
        return conn.execute("SELECT status FROM assets WHERE tag = ?", (tag,)).fetchone()


def test_a_stock_in_goes_through_during_a_dry_run(seeded, db_file, tmp_path, env):
    sheet = snipeit.read(_big_file(tmp_path))
    sheet.records = Interleaved(sheet.records, lambda: _stock_in(db_file, tmp_path, env))
    with Database(db_file) as db:
        report = importer.run(db, sheet, actor="tester", commit=False)
    (stock_in,) = sheet.records.results
    assert stock_in.returncode == 0, stock_in
    assert _status(db_file, "LT-0103") == ("IN_STOCK",)
    # The dry run saw its own work through, and wrote none of it.
    assert report.count("add") == ROWS and not report.committed
    assert _status(db_file, "T-00000") is None


def test_a_commit_that_will_hold_the_lock_says_so_first(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "SAY_ABOVE", 0.0)
    run = seeded("asset", "import", str(_big_file(tmp_path)), "--commit")
    assert run.code == 0, run
    assert "holds the database for about" in run.err
    assert "the kiosk answers Busy until it is done" in run.err
    monkeypatch.setattr(importer, "SAY_ABOVE", 3600.0)
    quiet = seeded("asset", "import", str(_big_file(tmp_path)), "--commit")
    assert quiet.code == 0 and "holds the database" not in quiet.err


def test_a_dry_run_works_while_another_process_holds_the_write_lock(seeded, db_file, tmp_path):
    """It only reads the file: a writer holding the lock all along does not stop it."""
    path = tmp_path / "bad.csv"
    path.write_text("Asset Tag,Status\nLT-0101,\nNEW-1,\n", encoding="utf-8")
    with sqlite3.connect(db_file, isolation_level=None) as other:
        other.execute("BEGIN IMMEDIATE")  # someone holds the write lock all along
        try:
            run = seeded("asset", "import", str(path), json=True)
        finally:
            other.execute("ROLLBACK")
    assert run.code == 0, run
    assert run.doc["added"] == 1 and run.doc["unchanged"] == 1


def test_the_kiosk_confirms_during_a_dry_run(kiosk, seeded_path, tmp_path):
    """A stock-out at the running kiosk, scanned and confirmed half-way through."""

    def at_the_kiosk():
        cli(kiosk, "inject", "scan", "LT-0101")
        cli(kiosk, "inject", "scan", "BADGE:0043")
        return cli(kiosk, "inject", "press", "confirm")

    sheet = snipeit.read(_big_file(tmp_path))
    sheet.records = Interleaved(sheet.records, at_the_kiosk)
    with Database(seeded_path) as db:
        report = importer.run(db, sheet, actor="tester", commit=False)
    (confirmed,) = sheet.records.results
    assert confirmed["state"] == "success", confirmed
    with sqlite3.connect(seeded_path) as conn:
        row = conn.execute("SELECT status, custodian FROM assets WHERE tag = 'LT-0101'")
        assert row.fetchone() == ("IN_CUSTODY", "0043")
    assert report.count("add") == ROWS
