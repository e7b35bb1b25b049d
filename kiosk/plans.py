"""Preview and commit: every asset or slot operation is planned, then applied.

A *planner* reads the database and returns a :class:`Plan` describing
exactly what would change, or raises the hard stop that blocks it. It never
writes. :func:`apply` carries a plan out in a fixed order — leave the old
slot, change the asset, take the new slot, append the event — which is also
the order the schema's triggers demand.

Three ways to run one:

* :func:`preview` — plan only (the kiosk shows it on the OLED);
* :func:`commit` — later, for a previewed plan: re-plan inside
  ``BEGIN IMMEDIATE`` and refuse with :class:`ChangedSincePreview` if the
  fresh plan differs from the one the person saw;
* :func:`execute` — plan and apply in one transaction (the CLI).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from kiosk import events
from kiosk.errors import ChangedSincePreview, HardStop, NotFound
from kiosk.validate import SlotRef

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class AssetState:
    """The part of an asset a plan relies on; compared again at commit."""

    tag: str
    status: str
    slot: SlotRef | None
    home: SlotRef | None
    custodian: str | None
    due: str | None


@dataclass(frozen=True)
class Plan:
    """What an operation will do. Equal plans mean nothing relevant changed."""

    op: str
    args: tuple[tuple[str, Any], ...]
    tag: str | None = None
    before: AssetState | None = None
    from_slot: SlotRef | None = None
    to_slot: SlotRef | None = None
    person: str | None = None
    person_name: str | None = None
    # Asset columns to set, as (column, value) pairs; for op "add" the new row.
    changes: tuple[tuple[str, Any], ...] = ()
    summary: str = field(default="", compare=False)

    def details(self) -> dict[str, Any]:
        return {k: v for k, v in self.changes if k not in ("status", "custodian")}


Planner = Callable[..., Plan]
PLANNERS: dict[str, Planner] = {}
_APPLIERS: dict[str, Callable[[sqlite3.Connection, Plan], None]] = {}


def planner(op: str) -> Callable[[Planner], Planner]:
    """Register ``fn(conn, **args) -> Plan`` as the planner of ``op``."""

    def register(fn: Planner) -> Planner:
        PLANNERS[op] = fn
        return fn

    return register


def _lookup(op: str) -> Planner:
    if op not in PLANNERS:
        # Importing the domain modules registers their planners.
        from kiosk import assets, custody, slots  # noqa: F401
    try:
        return PLANNERS[op]
    except KeyError:
        raise ValueError(f"no planner for operation {op!r}") from None


def make(op: str, conn: sqlite3.Connection, **args: Any) -> Plan:
    """Run the planner of ``op``; the caller supplies the transaction."""
    return _lookup(op)(conn, **args)


def apply(conn: sqlite3.Connection, plan: Plan, actor: str) -> int:
    """Carry out ``plan`` inside the caller's write transaction; returns the event id."""
    from kiosk import assets, slots

    if plan.op == "add":
        assets.insert(conn, plan.tag, dict(plan.changes))
    if plan.from_slot is not None:
        slots.release(conn, plan.from_slot, plan.tag)
    if plan.changes and plan.op != "add":
        assets.update(conn, plan.tag, dict(plan.changes))
    if plan.to_slot is not None:
        slots.occupy(conn, plan.to_slot, plan.tag)
    return events.append(
        conn,
        actor=actor,
        op=plan.op,
        asset=plan.tag,
        from_slot=plan.from_slot,
        to_slot=plan.to_slot,
        person=plan.person,
        details=plan.details(),
    )


def preview(db: Any, op: str, **args: Any) -> Plan:
    """Plan ``op`` against a consistent snapshot, writing nothing."""
    with db.read() as conn:
        return make(op, conn, **args)


def execute(db: Any, op: str, actor: str, **args: Any) -> Plan:
    """Plan and apply ``op`` in one ``BEGIN IMMEDIATE`` transaction."""
    with db.write() as conn:
        plan = make(op, conn, **args)
        apply(conn, plan, actor)
    return plan


def commit(db: Any, plan: Plan, actor: str) -> Plan:
    """Apply a previewed plan if, and only if, it still holds."""
    with db.write() as conn:
        try:
            fresh = make(plan.op, conn, **dict(plan.args))
        except (HardStop, NotFound) as exc:
            raise ChangedSincePreview(f"changed since preview: {exc}") from exc
        if fresh != plan:
            raise ChangedSincePreview(f"changed since preview: {describe(plan, fresh)}")
        apply(conn, fresh, actor)
    return fresh


def describe(old: Plan, new: Plan) -> str:
    """Say in a few words what differs between two plans of the same request."""
    diffs = []
    for f in fields(Plan):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if not f.compare or a == b:
            continue
        if isinstance(a, AssetState) and isinstance(b, AssetState):
            for g in fields(AssetState):
                x, y = getattr(a, g.name), getattr(b, g.name)
                if x != y:
                    diffs.append(f"{a.tag} {g.name} was {_show(x)}, now {_show(y)}")
        else:
            diffs.append(f"{f.name.replace('_', ' ')} was {_show(a)}, now {_show(b)}")
    return "; ".join(diffs) or "the plan differs"


def _show(value: Any) -> str:
    return "none" if value is None else str(value)
