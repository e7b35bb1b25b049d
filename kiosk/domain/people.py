"""People: who may borrow assets, known by their badge.

Adding and removing a person is its own transaction with its own event;
:func:`insert_person` runs inside a caller's transaction (an import).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk.domain import validate
from kiosk.domain.ports import Store
from kiosk.errors import HardStop, NotFound
from kiosk.store import events
from kiosk.store.clock import utcnow


@dataclass(frozen=True)
class Person:
    """Someone who borrows assets, known by a badge."""

    badge: str
    name: str
    holding: int = 0

    def as_dict(self) -> dict[str, object]:
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


def add_person(db: Store, badge: str, name: str, *, actor: str) -> Person:
    with db.write() as conn:
        return insert_person(conn, badge, name, actor=actor)


def insert_person(conn: sqlite3.Connection, badge: str, name: str, *, actor: str) -> Person:
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
        (badge, name, utcnow()),
    )
    events.append(conn, actor=actor, op="person_add", person=badge, details={"name": name})
    return Person(badge, name)


def remove_person(db: Store, badge: str, *, actor: str) -> Person:
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
