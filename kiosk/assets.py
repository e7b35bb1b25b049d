"""Assets and people: their tables, reads, and the asset-creating planner.

Only :mod:`kiosk.plans` calls :func:`insert` and :func:`update`, inside the
transaction of a plan; slots are written by :mod:`kiosk.slots` alone.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk import events, validate
from kiosk.errors import HardStop, NotFound
from kiosk.plans import AssetState, Plan, planner
from kiosk.validate import SlotRef

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any

STATUSES = ("IN_STOCK", "IN_CUSTODY", "REPAIR", "RETIRED", "LOST")
_WRITABLE = {
    "name",
    "model",
    "serial",
    "status",
    "home_case",
    "home_pos",
    "custodian",
    "due",
    "notes",
}


def _slot(case: str | None, pos: int | None) -> SlotRef | None:
    return None if case is None else SlotRef(case, pos)


@dataclass(frozen=True)
class Asset:
    """One asset as people and scripts see it."""

    tag: str
    name: str
    model: str
    serial: str
    status: str
    slot: SlotRef | None
    home: SlotRef | None
    custodian: str | None
    custodian_name: str | None
    due: str | None
    notes: str
    created: str
    updated: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "name": self.name,
            "model": self.model,
            "serial": self.serial,
            "status": self.status,
            "slot": None if self.slot is None else str(self.slot),
            "home": None if self.home is None else str(self.home),
            "custodian": self.custodian,
            "custodian_name": self.custodian_name,
            "due": self.due,
            "notes": self.notes,
            "created": self.created,
            "updated": self.updated,
        }

    def state(self) -> AssetState:
        return AssetState(self.tag, self.status, self.slot, self.home, self.custodian, self.due)


_SELECT = """
SELECT a.tag, a.name, a.model, a.serial, a.status, s.case_name, s.slot_position,
       a.home_case, a.home_pos, a.custodian, p.name, a.due, a.notes, a.created, a.updated
FROM assets a
LEFT JOIN slots s ON s.current_asset_tag = a.tag
LEFT JOIN people p ON p.badge = a.custodian
"""


def _asset(row: tuple[Any, ...]) -> Asset:
    # Columns as in _SELECT: slot and home come as (case, pos) pairs.
    return Asset(*row[:5], _slot(row[5], row[6]), _slot(row[7], row[8]), *row[9:])


def find(conn: sqlite3.Connection, tag: str) -> Asset | None:
    row = conn.execute(_SELECT + "WHERE a.tag = ?", (tag,)).fetchone()
    return None if row is None else _asset(row)


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


def insert(conn: sqlite3.Connection, tag: str, values: dict[str, Any]) -> None:
    now = events.utcnow()
    cols = [c for c in values if c in _WRITABLE]
    conn.execute(
        f"INSERT INTO assets (tag, {', '.join(cols)}, created, updated) "
        f"VALUES (?, {', '.join('?' for _ in cols)}, ?, ?)",
        (tag, *(values[c] for c in cols), now, now),
    )


def update(conn: sqlite3.Connection, tag: str, values: dict[str, Any]) -> None:
    cols = [c for c in values if c in _WRITABLE]
    sets = ", ".join(f"{c} = ?" for c in cols)
    conn.execute(
        f"UPDATE assets SET {sets}, updated = ? WHERE tag = ?",
        (*(values[c] for c in cols), events.utcnow(), tag),
    )


def home_changes(home: SlotRef | None) -> tuple[tuple[str, Any], ...]:
    return (
        ("home_case", None if home is None else home.case),
        ("home_pos", None if home is None else home.pos),
    )


@planner("add")
def plan_add(
    conn: sqlite3.Connection,
    tag: str,
    name: str = "",
    model: str = "",
    serial: str = "",
    notes: str = "",
    home: SlotRef | None = None,
    into: SlotRef | str | None = None,
) -> Plan:
    """Register a new asset, optionally straight into a slot (intake).

    ``into="auto"`` takes the first free slot, as the kiosk proposes.
    The slot it goes into becomes its home unless ``home`` says otherwise.
    """
    from kiosk import slots

    args = (
        ("tag", tag),
        ("name", name),
        ("model", model),
        ("serial", serial),
        ("notes", notes),
        ("home", home),
        ("into", into),
    )
    tag = validate.tag(tag)
    existing = find(conn, tag)
    if existing is not None:
        where = f" in {existing.slot}" if existing.slot else f" ({existing.status})"
        raise HardStop(f"asset {tag} already exists{where}", code="already_exists")
    target = slots.first_free(conn) if into == "auto" else into
    if target is not None:
        slots.require_empty(conn, target)
    if home is not None:
        slots.require_exists(conn, home)
    changes = (
        ("name", validate.text("name", name)),
        ("model", validate.text("model", model)),
        ("serial", validate.text("serial", serial)),
        ("notes", validate.text("notes", notes, validate.NOTES_MAX)),
        ("status", "IN_STOCK"),
        *home_changes(home or target),
    )
    summary = f"add {tag}" + (f" into {target}" if target else "")
    return Plan("add", args, tag, None, None, target, changes=changes, summary=summary)


DESCRIPTIVE = ("name", "model", "serial", "notes")


@planner("update")
def plan_update(
    conn: sqlite3.Connection,
    tag: str,
    name: str | None = None,
    model: str | None = None,
    serial: str | None = None,
    notes: str | None = None,
) -> Plan:
    """Change an asset's descriptive fields (None leaves a field as it is).

    Status, slot and custody change only through their own operations.
    """
    asset = get(conn, tag)
    given = {"name": name, "model": model, "serial": serial, "notes": notes}
    changes = []
    for field_name in DESCRIPTIVE:
        value = given[field_name]
        if value is None:
            continue
        limit = validate.NOTES_MAX if field_name == "notes" else validate.NAME_MAX
        value = validate.text(field_name, value, limit)
        if value != getattr(asset, field_name):
            changes.append((field_name, value))
    if not changes:
        raise HardStop(f"{asset.tag}: nothing to change", code="unchanged")
    return Plan(
        "update",
        tuple(sorted(given.items())) + (("tag", tag),),
        asset.tag,
        asset.state(),
        changes=tuple(changes),
        summary=f"{asset.tag}: " + ", ".join(c for c, _ in changes),
    )


# -- people -------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    badge: str
    name: str
    holding: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"badge": self.badge, "name": self.name, "holding": self.holding}


def person(conn: sqlite3.Connection, badge: str) -> Person:
    """The person with ``badge``, or :class:`NotFound`."""
    row = conn.execute(
        "SELECT badge, name, (SELECT count(*) FROM assets WHERE custodian = badge) "
        "FROM people WHERE badge = ?",
        (badge,),
    ).fetchone()
    if row is None:
        raise NotFound(f"unknown badge {badge}")
    return Person(*row)


def people(conn: sqlite3.Connection) -> list[Person]:
    rows = conn.execute(
        "SELECT p.badge, p.name, count(a.tag) FROM people p "
        "LEFT JOIN assets a ON a.custodian = p.badge GROUP BY p.badge ORDER BY p.name, p.badge"
    )
    return [Person(*r) for r in rows]


def add_person(db: Any, badge: str, name: str, actor: str) -> Person:
    with db.write() as conn:
        return insert_person(conn, badge, name, actor)


def insert_person(conn: sqlite3.Connection, badge: str, name: str, actor: str) -> Person:
    """Register ``badge`` inside the caller's write transaction (with its event)."""
    badge = validate.badge(badge)
    name = validate.text("name", name)
    if not name:
        name = badge
    row = conn.execute("SELECT name FROM people WHERE badge = ?", (badge,)).fetchone()
    if row is not None:
        raise HardStop(f"badge {badge} already belongs to {row[0]}", code="already_exists")
    conn.execute(
        "INSERT INTO people (badge, name, created) VALUES (?, ?, ?)",
        (badge, name, events.utcnow()),
    )
    events.append(conn, actor=actor, op="person_add", person=badge, details={"name": name})
    return Person(badge, name)


def remove_person(db: Any, badge: str, actor: str) -> Person:
    badge = validate.badge(badge)
    with db.write() as conn:
        who = person(conn, badge)
        held = [
            r[0]
            for r in conn.execute(
                "SELECT tag FROM assets WHERE custodian = ? ORDER BY tag LIMIT 4", (badge,)
            )
        ]
        if held:
            more = ", ..." if who.holding > len(held) else ""
            raise HardStop(
                f"{who.name} ({badge}) holds {', '.join(held)}{more}", code="holding_assets"
            )
        conn.execute("DELETE FROM people WHERE badge = ?", (badge,))
        events.append(
            conn, actor=actor, op="person_remove", person=badge, details={"name": who.name}
        )
    return who
