"""The record's own proof: the chain, its head, and the tables as the log's replay.

Shared by ``doctor`` and ``log verify``. Each check is a :class:`Check`;
they run inside one read transaction so the chain, the head and the tables
are one snapshot.

* **event chain** -- every hash links to the one before (:mod:`kiosk.store.events`);
* **log head** -- the head recorded beside the database, and one given as
  ``--head ID:HASH``, are still in the log (:mod:`kiosk.store.heads`): a
  deleted tail shows here;
* **replay** -- the log replayed from an empty database gives exactly the
  tables (:mod:`kiosk.store.replay`): a row changed without its event,
  or a log emptied while assets remain, shows here, naming each row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import InvalidInput
from kiosk.sanitize import clean
from kiosk.store import events, heads, replay

#: ``todo``: a step a person has still to take on a healthy kiosk; not a failure.
OK, FAIL, TODO, SKIPPED = "ok", "FAIL", "todo", "skipped"
#: How many differing rows a check names before it says "and N more".
SHOWN = 10


@dataclass(frozen=True)
class Check:
    check: str
    status: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "detail": self.detail}


def checks(
    conn: sqlite3.Connection,
    db_path: Path | None,
    *,
    head: heads.Head | None = None,
    with_replay: bool = True,
) -> tuple[events.Verdict, list[Check]]:
    """Chain, recorded heads and (optionally) replay of the database ``conn`` reads.

    ``db_path`` locates the head file (None for a copy, which has none).
    Must run inside a read transaction.
    """
    verdict = events.verify(conn)
    if not verdict.ok:
        why = f"broken at event {verdict.bad_id}: {verdict.reason}"
        return verdict, [Check("event chain", FAIL, f"{why} ({verdict.count} intact before it)")]
    found = [Check("event chain", OK, f"{verdict.count} events")]
    if db_path is not None:
        found.append(_head_file(conn, db_path))
    if head is not None:
        gone = heads.missing_from(conn, head)
        found.append(Check("given head", FAIL if gone else OK, gone or f"{head.id} is in the log"))
    if with_replay:
        found.append(_replay(conn))
    else:
        found.append(_unlogged(conn, verdict.count))
    return verdict, found


def _head_file(conn: sqlite3.Connection, db_path: Path) -> Check:
    where = clean(heads.path_for(db_path))
    try:
        recorded = heads.read(db_path)
    except InvalidInput as err:
        return Check("log head", FAIL, clean(err.message))
    if recorded is None:
        if heads.current(conn).id == 0:
            return Check("log head", OK, "empty log")
        return Check("log head", SKIPPED, f"no {where} yet: it is written at the next change")
    gone = heads.missing_from(conn, recorded)
    if gone:
        return Check("log head", FAIL, f"{gone} (head recorded in {where})")
    return Check(
        "log head", OK, f"recorded head {recorded.id} is in the log; head {heads.current(conn)}"
    )


def _unlogged(conn: sqlite3.Connection, count: int) -> Check:
    """Without a replay, at least: an empty log cannot go with a room full of assets."""
    if count:
        return Check("log covers the tables", OK, "log not empty")
    rows = conn.execute(
        "SELECT (SELECT count(*) FROM assets), (SELECT count(*) FROM people), "
        "(SELECT count(*) FROM slots)"
    ).fetchone()
    if any(rows):
        held = f"{rows[0]} assets, {rows[1]} people, {rows[2]} slots"
        return Check("log covers the tables", FAIL, f"the log is empty but the tables hold {held}")
    return Check("log covers the tables", OK, "empty log, empty tables")


def _replay(conn: sqlite3.Connection) -> Check:
    state, differences = replay.compare(conn)
    if not differences:
        rows = f"{len(state.assets)} assets, {len(state.slots)} slots, {len(state.people)} people"
        return Check("replay", OK, f"{state.events} events give the tables exactly ({rows})")
    shown = "; ".join(clean(str(d)) for d in differences[:SHOWN])
    more = f"; and {len(differences) - SHOWN} more" if len(differences) > SHOWN else ""
    return Check("replay", FAIL, f"{len(differences)} differ from the log: {shown}{more}")
