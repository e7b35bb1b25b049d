"""Assets: their reads, and the writes of their own rows.

Only operations (:mod:`kiosk.domain.operations`) call :func:`insert` and
:func:`update`, inside the transaction of a plan; slots are written by
:mod:`kiosk.domain.slots` alone.
"""

from __future__ import annotations

import sqlite3

from kiosk.domain import validate
from kiosk.domain.types import STATUSES, Asset, SlotRef, slot_or_none
from kiosk.errors import NotFound
from kiosk.store.clock import utcnow

#: Asset columns an operation may set; anything else in a change is ignored.
WRITABLE = frozenset(
    {
        "name",
        "model",
        "serial",
        "status",
        "home_case",
        "home_pos",
        "custodian",
        "due",
        "notes",
        "snipeit_id",
    }
)
#: The fields people describe an asset with; status, slot and custody have operations.
DESCRIPTIVE = ("name", "model", "serial", "notes")

#: Asset columns to set, as (column, value) pairs: hashable, so plans compare.
Changes = tuple[tuple[str, object], ...]


_SELECT = """
SELECT a.tag, a.name, a.model, a.serial, a.status, s.case_name, s.slot_position,
       a.home_case, a.home_pos, a.custodian, p.name, a.due, a.notes, a.created, a.updated,
       a.snipeit_id
FROM assets a
LEFT JOIN slots s ON s.current_asset_tag = a.tag
LEFT JOIN people p ON p.badge = a.custodian
"""


#: A row of _SELECT: tag, name, model, serial, status, slot, home, custodian
#: and name, due, notes, created, updated, Snipe-IT id; slot and home as (case, pos).
AssetRow = tuple[
    str, str, str, str, str,
    str | None, int | None, str | None, int | None,
    str | None, str | None, str | None, str, str, str, int | None,
]  # fmt: skip


def _asset(row: AssetRow) -> Asset:
    # Columns as in _SELECT: slot and home come as (case, pos) pairs.
    tag, name, model, serial, status, case, pos, home_case, home_pos = row[:9]
    custodian, custodian_name, due, notes, created, updated, snipeit_id = row[9:]
    return Asset(
        tag=tag,
        name=name,
        model=model,
        serial=serial,
        status=status,
        slot=slot_or_none(case, pos),
        home=slot_or_none(home_case, home_pos),
        custodian=custodian,
        custodian_name=custodian_name,
        due=due,
        notes=notes,
        created=created,
        updated=updated,
        snipeit_id=snipeit_id,
    )


def find(conn: sqlite3.Connection, tag: str) -> Asset | None:
    row = conn.execute(_SELECT + "WHERE a.tag = ?", (tag,)).fetchone()
    return None if row is None else _asset(row)


def find_case_twin(conn: sqlite3.Connection, tag: str) -> str | None:
    """A known tag that differs from ``tag`` only in (ASCII) letter case, or None."""
    row = conn.execute(
        "SELECT tag FROM assets WHERE tag = ? COLLATE NOCASE AND tag != ? LIMIT 1", (tag, tag)
    ).fetchone()
    return None if row is None else str(row[0])


def held_by(conn: sqlite3.Connection, badge: str) -> list[Asset]:
    """The assets out with ``badge``, by due date (those without one last)."""
    sql = _SELECT + "WHERE a.custodian = ? ORDER BY a.due IS NULL, a.due, a.tag"
    return [_asset(r) for r in conn.execute(sql, (badge,))]


def tag_of_snipeit_id(conn: sqlite3.Connection, snipeit_id: int) -> str | None:
    """The tag of the asset Snipe-IT knows as ``snipeit_id``, or None."""
    row = conn.execute("SELECT tag FROM assets WHERE snipeit_id = ?", (snipeit_id,)).fetchone()
    return None if row is None else str(row[0])


def get(conn: sqlite3.Connection, tag: str) -> Asset:
    """The asset ``tag``, or :class:`NotFound`."""
    asset = find(conn, validate.tag(tag))
    if asset is None:
        raise NotFound(f"unknown asset {tag}")
    return asset


def listing(
    conn: sqlite3.Connection, *, status: str | None = None, overdue_on: str | None = None
) -> list[Asset]:
    """Assets by tag; optionally of one status, or in custody and due before a date."""
    args: tuple[str, ...]
    if overdue_on is not None:
        sql, args = _SELECT + "WHERE a.due < ? ORDER BY a.due, a.tag", (overdue_on,)
    elif status is not None:
        sql, args = _SELECT + "WHERE a.status = ? ORDER BY a.tag", (status,)
    else:
        sql, args = _SELECT + "ORDER BY a.tag", ()
    return [_asset(r) for r in conn.execute(sql, args)]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Number of assets per status (every status present, zero included)."""
    found = dict(conn.execute("SELECT status, count(*) FROM assets GROUP BY status"))
    return {s: found.get(s, 0) for s in STATUSES}


def insert(conn: sqlite3.Connection, tag: str, values: dict[str, object]) -> None:
    now = utcnow()
    cols = [c for c in values if c in WRITABLE]
    conn.execute(
        f"INSERT INTO assets (tag, {', '.join(cols)}, created, updated) "
        f"VALUES (?, {', '.join('?' for _ in cols)}, ?, ?)",
        (tag, *(values[c] for c in cols), now, now),
    )


def update(conn: sqlite3.Connection, tag: str, values: dict[str, object]) -> None:
    cols = [c for c in values if c in WRITABLE]
    sets = ", ".join(f"{c} = ?" for c in cols)
    conn.execute(
        f"UPDATE assets SET {sets}, updated = ? WHERE tag = ?",
        (*(values[c] for c in cols), utcnow(), tag),
    )


def home_changes(home: SlotRef | None) -> Changes:
    return (
        ("home_case", None if home is None else home.case),
        ("home_pos", None if home is None else home.pos),
    )
