"""A large event log in bulk: rows chained with the digest the log itself uses."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from kiosk.store import events

TIME = "2026-01-01T00:00:00.000Z"
_INSERT = "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)"


def insert_chain(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[str, str | None, str | None, str | None, str | None, str]],
    batch_size: int = 50_000,
) -> int:
    """Append ``(op, asset, from_slot, to_slot, person, details_json)`` rows as events 1..N.

    Inside the caller's transaction; returns N.
    """
    prev, batch, eid = events.GENESIS, [], 0
    for eid, (op, asset, src, dst, person, details) in enumerate(rows, start=1):
        row = (eid, TIME, "bench", op, asset, src, dst, person, details, prev)
        prev = events.digest(row)
        batch.append((*row, prev))
        if len(batch) == batch_size:
            conn.executemany(_INSERT, batch)
            batch = []
    conn.executemany(_INSERT, batch)
    return eid
