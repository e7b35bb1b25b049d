"""Preview and commit: every asset or slot operation is planned, then applied.

An operation is a typed request (``StockOut(tag="LT-0193", badge="0042")``)
that knows how to :meth:`~Operation.plan` itself against the database and
how to :meth:`~Operation.apply` that plan. Planning reads and never writes:
it returns a :class:`Plan` saying exactly what would change, or raises the
hard stop that blocks it. Applying carries the plan out in a fixed order --
leave the old slot, change the asset, take the new slot, append the event --
which is also the order the schema's triggers demand.

Three ways to run one:

* :func:`preview` -- plan only (the kiosk shows it on the OLED);
* :func:`commit` -- later, for a previewed plan: plan its request again
  inside ``BEGIN IMMEDIATE`` and refuse with :class:`ChangedSincePreview`
  if the fresh plan differs from the one the person saw;
* :func:`execute` -- plan and apply in one transaction (the CLI).

    >>> execute(db, Assign(tag="LT-0193", slot=SlotRef("B", 4)), actor="ops")  # doctest: +SKIP
    HardStop: slot B:4 holds LT-0042
"""

from __future__ import annotations

import abc
import sqlite3
from dataclasses import dataclass, field, fields
from typing import ClassVar

from kiosk.domain import assets, slots
from kiosk.domain.assets import Changes
from kiosk.domain.ports import Store
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import ChangedSincePreview, HardStop, NotFound
from kiosk.store import events


@dataclass(frozen=True)
class AssetState:
    """The part of an asset a plan relies on; compared again at commit."""

    tag: str
    status: str
    slot: SlotRef | None
    home: SlotRef | None
    custodian: str | None
    due: str | None

    @classmethod
    def of(cls, asset: Asset) -> AssetState:
        return cls(
            tag=asset.tag,
            status=asset.status,
            slot=asset.slot,
            home=asset.home,
            custodian=asset.custodian,
            due=asset.due,
        )


class Operation(abc.ABC):
    """A request to change assets or slots; subclasses are frozen dataclasses.

    Two requests with the same fields are equal, so a :class:`Plan` (which
    carries its request) compares equal to the plan made again at commit
    time exactly when nothing it relies on has changed.
    """

    #: The event's ``op``: what the log calls this kind of change.
    op: ClassVar[str]

    @abc.abstractmethod
    def plan(self, conn: sqlite3.Connection) -> Plan:
        """What this request would do now; raises the hard stop that blocks it."""

    def apply(self, conn: sqlite3.Connection, plan: Plan, *, actor: str) -> int:
        """Carry out ``plan`` inside the caller's write transaction; returns the event id.

        The order is the one the schema's triggers demand: leave the old
        slot, write the asset, take the new slot, append the event.
        """
        tag = plan.subject
        if plan.from_slot is not None:
            slots.release(conn, plan.from_slot, tag)
        self.write_asset(conn, plan)
        if plan.to_slot is not None:
            slots.occupy(conn, plan.to_slot, tag)
        return _record(conn, plan, actor=actor)

    def write_asset(self, conn: sqlite3.Connection, plan: Plan) -> None:
        """Change the asset's row as planned (an operation that creates one inserts it)."""
        if plan.changes:
            assets.update(conn, plan.subject, dict(plan.changes))


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What an operation will do. Equal plans mean nothing relevant changed."""

    request: Operation
    tag: str | None = None
    before: AssetState | None = None
    from_slot: SlotRef | None = None
    to_slot: SlotRef | None = None
    person: str | None = None
    person_name: str | None = None
    #: Asset columns to set; for a new asset, its row.
    changes: Changes = ()
    #: What the event should also say (a --force and what it overrode).
    notes: tuple[tuple[str, object], ...] = ()
    summary: str = field(default="", compare=False)

    @property
    def op(self) -> str:
        return self.request.op

    @property
    def subject(self) -> str:
        """The asset the plan changes (every asset operation has one)."""
        if self.tag is None:
            raise ValueError(f"a {self.op} plan names no asset")
        return self.tag

    def details(self) -> dict[str, object]:
        """The event's details: the changes that status and custodian do not already say."""
        said = {k: v for k, v in self.changes if k not in ("status", "custodian")}
        return {**said, **dict(self.notes)}


def _record(conn: sqlite3.Connection, plan: Plan, *, actor: str) -> int:
    """Append the event of ``plan`` (inside the caller's write transaction)."""
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


def run_in(conn: sqlite3.Connection, request: Operation, *, actor: str) -> Plan:
    """Plan and apply ``request`` inside the caller's write transaction."""
    plan = request.plan(conn)
    request.apply(conn, plan, actor=actor)
    return plan


def preview(db: Store, request: Operation) -> Plan:
    """Plan ``request`` against a consistent snapshot, writing nothing."""
    with db.read() as conn:
        return request.plan(conn)


def execute(db: Store, request: Operation, *, actor: str) -> Plan:
    """Plan and apply ``request`` in one ``BEGIN IMMEDIATE`` transaction."""
    with db.write() as conn:
        return run_in(conn, request, actor=actor)


def commit(db: Store, plan: Plan, *, actor: str) -> Plan:
    """Apply a previewed plan if, and only if, it still holds."""
    with db.write() as conn:
        try:
            fresh = plan.request.plan(conn)
        except (HardStop, NotFound) as exc:
            raise ChangedSincePreview(f"changed since preview: {exc}") from exc
        if fresh != plan:
            raise ChangedSincePreview(f"changed since preview: {describe(plan, fresh)}")
        plan.request.apply(conn, fresh, actor=actor)
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


def _show(value: object) -> str:
    return "none" if value is None else str(value)
