"""The event log: append-only and hash-chained.

Every change appends exactly one event *inside the same transaction* as the
change, so an operation without its event (or the reverse) cannot exist.
The table's triggers refuse UPDATE and DELETE; on top of that each row
stores ``hash = sha256(canonical(row) + prev_hash)``, so a row forged with
the triggers bypassed (table rebuilt, file edited) breaks the chain and
:func:`verify` names the first bad id.

Order is by id, never by time: a Pi without an RTC can boot in 1970.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from kiosk.store.clock import utcnow
from kiosk.store.heads import GENESIS

__all__ = ["GENESIS", "LoggedEvent", "Verdict", "append", "digest", "recent", "verify"]
_COLUMNS = "id, time, actor, op, asset, from_slot, to_slot, person, details, prev_hash, hash"
# Built once: json.dumps builds a new encoder on every call given any option.
_CANONICAL = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_DETAILS = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class LoggedEvent:
    """One row of the event log, as stored."""

    id: int
    time: str
    actor: str
    op: str
    asset: str | None
    from_slot: str | None
    to_slot: str | None
    person: str | None
    details: str
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time,
            "actor": self.actor,
            "op": self.op,
            "asset": self.asset,
            "from_slot": self.from_slot,
            "to_slot": self.to_slot,
            "person": self.person,
            "details": json.loads(self.details),
            "hash": self.hash,
        }


def digest(row: tuple[Any, ...]) -> str:
    """SHA-256 of an event's canonical content (every column but ``hash``).

    ``row`` is (id, time, actor, op, asset, from_slot, to_slot, person,
    details, prev_hash). The canonical form is compact JSON, which keeps
    ``None`` and ``""`` apart and needs no escaping rules of our own.
    """
    return sha256(_CANONICAL.encode(row).encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection,
    *,
    actor: str,
    op: str,
    asset: str | None = None,
    from_slot: object = None,
    to_slot: object = None,
    person: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one event. Must run inside the caller's write transaction."""
    if not conn.in_transaction:
        raise RuntimeError("events.append() outside a transaction")
    last = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    event_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row = (
        event_id,
        utcnow(),
        actor,
        op,
        asset,
        None if from_slot is None else str(from_slot),
        None if to_slot is None else str(to_slot),
        person,
        _DETAILS.encode(details or {}),
        prev,
    )
    conn.execute(
        f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", (*row, digest(row))
    )
    return event_id


def recent(
    conn: sqlite3.Connection, *, asset: str | None = None, limit: int = 50
) -> list[LoggedEvent]:
    """The newest ``limit`` events (optionally of one asset), oldest first."""
    if asset is None:
        sql = f"SELECT {_COLUMNS} FROM events ORDER BY id DESC LIMIT ?"
        args: tuple[Any, ...] = (limit,)
    else:
        sql = f"SELECT {_COLUMNS} FROM events WHERE asset = ? ORDER BY id DESC LIMIT ?"
        args = (asset, limit)
    return [LoggedEvent(*r) for r in reversed(conn.execute(sql, args).fetchall())]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    bad_id: int | None = None
    reason: str = ""
    # The last good event's hash: recorded elsewhere, it pins the whole history.
    head: str = GENESIS


def _rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(f"SELECT {_COLUMNS} FROM events ORDER BY id")
    while batch := cursor.fetchmany(5000):
        yield from batch


def verify(conn: sqlite3.Connection) -> Verdict:
    """Walk the chain from the first event; stop at the first broken link."""
    return walk(_rows(conn))


def walk(rows: Iterable[Sequence[Any]]) -> Verdict:
    """Check a chain given as rows in id order (the columns of the log, as stored).

    The same walk checks a kiosk's own log and its copy in the central ledger.
    """
    prev, expected_id, count = GENESIS, 1, 0
    for row in rows:
        event_id = row[0]
        if event_id != expected_id:
            why = f"id {event_id} follows {expected_id - 1}"
        elif row[9] != prev:
            why = "prev_hash does not match the previous event"
        elif digest(tuple(row[:10])) != row[10]:
            why = "hash does not match the event's content"
        else:
            prev, expected_id, count = row[10], expected_id + 1, count + 1
            continue
        return Verdict(False, count, event_id, why, prev)
    return Verdict(True, count, head=prev)
