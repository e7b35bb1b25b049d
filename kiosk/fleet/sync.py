"""Shipping a kiosk's event log to the central ledger: the outbox is the log itself.

There is no queue to lose and no "sent" flag to keep: the cursor is the
central ledger's head for this kiosk. Each batch is one PostgreSQL
transaction that

1. locks the kiosk's head row (``fleet.lock_head``) -- a second sync of the
   same kiosk waits here, then finds the head moved and sends only the rest;
2. checks that the local log still continues that head: the local event at
   the head's id must have the head's hash. If it does not, the local log
   was rewritten (a *fork*) or restored from an older backup (a
   *rollback*); the batch is abandoned, an alert is recorded in a
   transaction of its own and :class:`~kiosk.fleet.connect.ChainRefused`
   names the event ids;
3. inserts the next events in id order (``ON CONFLICT (kiosk, id) DO
   NOTHING``; the server's trigger also skips an event it holds with the
   same hash and refuses one with another);
4. commits. A crash anywhere before the commit leaves the head where it
   was, so the batch is simply sent again: nothing lost, nothing twice.

The local database is opened afresh for every round: ``assettrack restore``
replaces the file, and a sync holding the old one open would keep shipping
a log that no longer exists.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError, NotFound, StorageBusy
from kiosk.fleet import connect as pg
from kiosk.fleet.connect import ChainRefused, FleetUnreachable
from kiosk.fleet.schema import APPEND_ONLY, BAD_HASH, FORK, GAP, UNREGISTERED
from kiosk.store.db import Database

log = logging.getLogger(__name__)

COLUMNS = "id, time, actor, op, asset, from_slot, to_slot, person, details, prev_hash, hash"
# One statement per batch (arrays, unnested in id order): the server's
# per-row trigger is the cost, not a round trip per event.
INSERT = (
    f"INSERT INTO fleet.ledger (kiosk, {COLUMNS}) SELECT %s, * FROM unnest("
    "%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::text[], %s::text[], %s::text[]) ORDER BY 1 "
    "ON CONFLICT (kiosk, id) DO NOTHING"
)
DEFAULT_BATCH = 2000
#: Longest wait between attempts while the central database is unreachable.
MAX_BACKOFF = 60.0


@dataclass(frozen=True)
class Shipped:
    """What one ``sync --once`` did: events sent, the central head, the local newest id."""

    kiosk: str
    shipped: int
    head: int
    local: int

    def as_dict(self) -> dict[str, object]:
        return {"kiosk": self.kiosk, "shipped": self.shipped, "head": self.head,
                "local": self.local}  # fmt: skip


class _Refusal(Exception):
    """Raised inside a batch's transaction so that it rolls back first."""

    def __init__(self, kind: str, first_id: int, last_id: int, message: str) -> None:
        super().__init__(message)
        self.kind, self.first_id, self.last_id, self.message = kind, first_id, last_id, message


class Shipper:
    """Ships one kiosk's log; keeps its connection between rounds until it fails."""

    def __init__(self, db_path: Path, *, kiosk: str, dsn: str, batch: int = DEFAULT_BATCH):
        self.db_path, self.kiosk, self.dsn, self.batch = db_path, kiosk, dsn, batch
        self._conn: Any = None
        #: Set by SIGTERM: a long backlog stops after the batch in flight.
        self.stop = threading.Event()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def ship(self) -> Shipped:
        """Send every event the central ledger lacks; raise what stops it."""
        if self._conn is None:
            self._conn = pg.connect(self.dsn, application="assettrack-sync")
        try:
            with Database(self.db_path, create=False) as local:
                return self._ship(local)
        except KioskError:
            raise
        except Exception as err:
            if _is_psycopg(err):
                self.close()
                raise pg.translate(err) from None
            raise

    def _ship(self, local: Database) -> Shipped:
        conn, total = self._conn, 0
        while True:
            try:
                with conn.transaction():
                    head, sent = self._batch(conn, local)
            except _Refusal as refusal:
                raise self._refuse(refusal) from None
            except Exception as err:
                by_server = _server_refusal(err, self.kiosk)
                if by_server is None:
                    raise
                raise self._refuse(by_server) from None
            total += sent
            if sent < self.batch or self.stop.is_set():
                break
        with conn.transaction():
            conn.execute("SELECT fleet.checkin(%s)", (self.kiosk,))
        return Shipped(self.kiosk, total, head + sent, _newest(local))

    def _batch(self, conn: Any, local: Database) -> tuple[int, int]:
        row = conn.execute(
            "SELECT head_id, head_hash FROM fleet.lock_head(%s)", (self.kiosk,)
        ).fetchone()
        if row is None or row[0] is None:
            raise NotFound(
                f"kiosk {self.kiosk} is not registered for this role in the central database "
                f"(assettrack fleet init --kiosk {self.kiosk})",
                code="not_registered",
            )
        head_id, head_hash = int(row[0]), str(row[1])
        with local.read() as lc:
            _check_continues(conn, lc, self.kiosk, head_id, head_hash)
            rows = lc.execute(
                f"SELECT {COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?",
                (head_id, self.batch),
            ).fetchall()
        if rows:
            insert(conn, self.kiosk, rows)
            log.info("kiosk %s: shipped events %d..%d", self.kiosk, rows[0][0], rows[-1][0])
        return head_id, len(rows)

    def _refuse(self, refusal: _Refusal) -> ChainRefused:
        """Record the alert in a transaction of its own (the batch's was rolled back)."""
        try:
            with self._conn.transaction():
                self._conn.execute(
                    "INSERT INTO fleet.alerts (kiosk, kind, first_id, last_id, message) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (self.kiosk, refusal.kind, refusal.first_id, refusal.last_id,
                     refusal.message),
                )  # fmt: skip
        except Exception as err:  # the refusal still stands; say the alert is missing
            log.error("kiosk %s: could not record the alert: %s", self.kiosk, err)
        log.error("%s", refusal.message)
        return ChainRefused(
            refusal.message,
            code=refusal.kind,
            details={"kiosk": self.kiosk, "first_id": refusal.first_id,
                     "last_id": refusal.last_id},
        )  # fmt: skip


def insert(conn: Any, kiosk: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert events (rows of the local log, in id order) into the central ledger."""
    conn.execute(INSERT, (kiosk, *(list(column) for column in zip(*rows, strict=True))))


def _newest(local: Database) -> int:
    row = local.conn.execute("SELECT max(id) FROM events").fetchone()
    return int(row[0] or 0)


def _check_continues(conn: Any, lc: Any, kiosk: str, head_id: int, head_hash: str) -> None:
    """Refuse a local log that does not continue the central head (see the module doc)."""
    if head_id == 0:
        return
    newest = int(lc.execute("SELECT max(id) FROM events").fetchone()[0] or 0)

    def local_hash(event_id: int) -> str | None:
        row = lc.execute("SELECT hash FROM events WHERE id = ?", (event_id,)).fetchone()
        return None if row is None else str(row[0])

    def central_hash(event_id: int) -> str | None:
        row = conn.execute(
            "SELECT hash FROM fleet.ledger WHERE kiosk = %s AND id = %s", (kiosk, event_id)
        ).fetchone()
        return None if row is None else str(row[0])

    def first_difference(top: int) -> int:
        """The first id up to ``top`` where the logs differ (they differ at ``top``).

        Hash chains agree up to some id and disagree from the next one on,
        so a binary search finds it in a few look-ups.
        """
        lo, hi = 1, top
        while lo < hi:
            mid = (lo + hi) // 2
            if local_hash(mid) == central_hash(mid):
                lo = mid + 1
            else:
                hi = mid
        return lo

    if newest >= head_id:
        if local_hash(head_id) == head_hash:
            return
        first = first_difference(head_id)
        raise _Refusal(
            "fork",
            first,
            head_id,
            f"kiosk {kiosk}: the local log was rewritten: event {first} differs from the "
            f"central ledger, which holds events 1..{head_id}; refusing to sync",
        )
    if newest and local_hash(newest) != central_hash(newest):
        first = first_difference(newest)
    else:
        first = newest + 1
    raise _Refusal(
        "rollback",
        first,
        head_id,
        f"kiosk {kiosk}: the local log ends at event {newest} but the central ledger holds "
        f"events 1..{head_id} (restored from an older backup?); events {first}..{head_id} "
        "differ or are missing; refusing to sync",
    )


def _is_psycopg(err: Exception) -> bool:
    return type(err).__module__.startswith("psycopg")


def _server_refusal(err: Exception, kiosk: str) -> _Refusal | None:
    """The server's trigger refused an event: the same refusal, named by the server."""
    state = getattr(err, "sqlstate", None)
    if state not in (FORK, GAP, BAD_HASH, UNREGISTERED, APPEND_ONLY):
        return None
    if state == UNREGISTERED:
        raise NotFound(f"kiosk {kiosk} is not registered in the central database")
    diag = getattr(err, "diag", None)
    detail = getattr(diag, "message_detail", None) or "0"
    event_id = int(detail) if detail.isdigit() else 0
    text = getattr(diag, "message_primary", None) or str(err)
    kind = "fork" if state == FORK else "broken"
    return _Refusal(kind, event_id, event_id, f"{text}; refusing to sync")


def backoff(failures: int, base: float = 1.0, cap: float = MAX_BACKOFF) -> float:
    """Seconds to wait after ``failures`` failed attempts in a row: doubling, jittered."""
    delay: float = min(cap, base * 2.0 ** max(0, failures - 1))
    return delay * random.uniform(0.8, 1.2)


def run(
    ship: Callable[[], Shipped],
    *,
    interval: float,
    stop: threading.Event,
    max_backoff: float = MAX_BACKOFF,
) -> None:
    """Ship every ``interval`` seconds until ``stop``; ride out outages with backoff.

    An unreachable server or a busy local database is retried (1 s, 2 s,
    4 s ... up to ``max_backoff``); a fork, a rollback or anything else that
    needs a person is raised.
    """
    failures = 0
    while not stop.is_set():
        try:
            shipped = ship()
        except (FleetUnreachable, StorageBusy) as err:
            failures += 1
            delay = backoff(failures, cap=max_backoff)
            log.warning("%s; retry %d in %.1f s", err, failures, delay)
        else:
            if failures:
                log.info("kiosk %s: central database back; head %d", shipped.kiosk,
                         shipped.head)  # fmt: skip
            failures, delay = 0, interval
        stop.wait(delay)


__all__ = ["ChainRefused", "FleetUnreachable", "Shipped", "Shipper", "backoff", "run"]
