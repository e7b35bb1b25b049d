"""Looking at the database file behind the CLI, and writing CSV files for it."""

from __future__ import annotations

import sqlite3


def events(db_file):
    """How many events the log holds."""
    with sqlite3.connect(db_file) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def asset_rows(db_file):
    """Every asset row as stored, by tag."""
    with sqlite3.connect(db_file) as conn:
        return conn.execute("SELECT * FROM assets ORDER BY tag").fetchall()


def write(tmp_path, text, name="in.csv"):
    """``text`` as a UTF-8 file in ``tmp_path``; its path as a string."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def reimport_changes_nothing(cli, db_file, path, count):
    """Import ``path`` again with ``cli``: all ``count`` rows unchanged, no event, no row."""
    before, rows = events(db_file), asset_rows(db_file)
    run = cli("asset", "import", str(path), "--commit", json=True)
    assert run.code == 0, run
    assert (run.doc["added"], run.doc["changed"], run.doc["unchanged"]) == (0, 0, count)
    assert events(db_file) == before and asset_rows(db_file) == rows
