"""A throwaway copy of the database, for work that must not hold the write lock.

A dry-run import does everything a real one does -- every row through the
operations, every event appended -- and shows what would change. Done in the
real file, that work holds SQLite's write lock for as long as it runs (12 s
for 200k rows), and the kiosk's Confirm and every CLI change meanwhile wait,
then fail "busy". :class:`Scratch` copies what the operations read into an
in-memory database inside ONE read transaction (WAL: readers never block the
writer, nor it them) and lets the work run there; nothing goes back.

What is copied: the schema exactly as the file has it (tables, indexes,
triggers, views: the same constraints fire), every row of every table but
the event log, and of the log only its last event, which is all
:func:`kiosk.store.events.append` needs to chain new events on. The copy of a
kiosk with 100k assets takes well under a second and the log's size does
not matter.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.store.db import DEFAULT_BUSY_TIMEOUT, Database, translated

# Tables copied whole are small (slots, people, assets); the log is not.
_LAST_ONLY = {"events": "SELECT * FROM src.events ORDER BY id DESC LIMIT 1"}
# Created after the rows are in: indexes build once, triggers do not fire on the copy.
_ORDER = ("index", "view", "trigger")


class Scratch(Database):
    """An in-memory copy of the database at ``path``, with :class:`Database`'s transactions."""

    #: Its commits are not the file's: the head beside the file stays the file's.
    records_head = False

    def __init__(self, path: str | Path) -> None:
        # Not Database.__init__: that opens (and may migrate) the file itself.
        self.path = Path(path)
        # What the copy waits for the file's snapshot: as long as any reader of it.
        self.busy_timeout = DEFAULT_BUSY_TIMEOUT
        self.journal_mode = "memory"
        with translated(self.path):
            self.conn = sqlite3.connect(
                ":memory:",
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                self._copy()
            except BaseException:
                self.conn.close()
                raise

    def _copy(self) -> None:
        c = self.conn
        c.execute("ATTACH DATABASE ? AS src", (str(self.path),))
        c.execute("BEGIN")  # one snapshot of the file for every table
        schema = c.execute(
            "SELECT type, name, sql FROM src.sqlite_schema "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
        for kind, name, sql in schema:
            if kind == "table":
                c.execute(sql)
                quoted = '"' + name.replace('"', '""') + '"'
                select = _LAST_ONLY.get(name, f"SELECT * FROM src.{quoted}")
                c.execute(f"INSERT INTO main.{quoted} {select}")
        for wanted in _ORDER:
            for kind, _name, sql in schema:
                if kind == wanted:
                    c.execute(sql)
        c.execute("COMMIT")
        c.execute("DETACH DATABASE src")
        c.execute("PRAGMA foreign_keys = ON")
