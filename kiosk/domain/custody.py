"""Custody: stock-out, stock-in and the other status transitions.

Allowed transitions (anything else is a hard stop that names the state)::

    IN_STOCK   --StockOut-->  IN_CUSTODY   (leaves its slot; that slot becomes home if none)
    IN_CUSTODY --StockIn--->  IN_STOCK     (to its home slot, or the slot named)
    REPAIR/LOST --StockIn-->  IN_STOCK     (back from repair; found and put away)
    IN_STOCK, unslotted --StockIn--> IN_STOCK  (put away)
    IN_STOCK, IN_CUSTODY --Repair--> REPAIR
    IN_STOCK, REPAIR, LOST --Retire--> RETIRED (never while someone holds it)
    IN_STOCK, IN_CUSTODY, REPAIR --MarkLost--> LOST
    LOST --MarkFound--> IN_STOCK (unslotted)

Leaving stock always vacates the slot, in the same transaction.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from dataclasses import dataclass
from typing import ClassVar

from kiosk.domain import assets, people, slots, validate
from kiosk.domain.assets import Changes
from kiosk.domain.operations import AssetState, Operation, Plan
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import HardStop, InvalidInput

_RELEASE: Changes = (("custodian", None), ("due", None))


def _blocked(asset: Asset, doing: str) -> HardStop:
    if asset.status == "IN_CUSTODY":
        why = f"{asset.tag} is out with {asset.custodian_name} ({asset.custodian})"
    else:
        why = f"{asset.tag} is {asset.status}"
    return HardStop(f"cannot {doing}: {why}", code="wrong_state")


def due_in(days: int) -> str:
    """The date ``days`` from today, as a due date."""
    if days < 0:
        raise InvalidInput("--days must be 0 or more")
    return (_dt.date.today() + _dt.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class StockOut(Operation):
    """Hand an in-stock asset to the person with ``badge``, optionally until ``due``."""

    op: ClassVar[str] = "stock_out"
    tag: str
    badge: str
    due: str | None = None

    def plan(self, conn: sqlite3.Connection) -> Plan:
        asset = assets.get(conn, self.tag)
        who = people.person(conn, validate.badge(self.badge))
        if asset.status != "IN_STOCK":
            raise _blocked(asset, "stock out")
        due = self.due
        if due is not None:
            due = validate.date(due)
            if due < _dt.date.today().isoformat():
                raise InvalidInput(f"due date {due} is in the past")
        changes: Changes = (("status", "IN_CUSTODY"), ("custodian", who.badge), ("due", due))
        if asset.home is None and asset.slot is not None:
            changes += assets.home_changes(asset.slot)
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            from_slot=asset.slot,
            person=who.badge,
            person_name=who.name,
            changes=changes,
            summary=f"{asset.tag} -> {who.name}",
        )


@dataclass(frozen=True)
class StockIn(Operation):
    """Take an asset back into its home slot, or into ``slot``."""

    op: ClassVar[str] = "stock_in"
    tag: str
    slot: SlotRef | None = None

    def plan(self, conn: sqlite3.Connection) -> Plan:
        asset = assets.get(conn, self.tag)
        if asset.status == "RETIRED" or (asset.status == "IN_STOCK" and asset.slot is not None):
            where = f" in {asset.slot}" if asset.slot else ""
            raise HardStop(
                f"cannot stock in: {asset.tag} is {asset.status}{where}", code="wrong_state"
            )
        target = asset.home if self.slot is None else self.slot
        if target is None:
            raise HardStop(f"{asset.tag} has no home slot; name a slot", code="no_home")
        slots.require_empty(conn, target)
        changes: Changes = (("status", "IN_STOCK"), *_RELEASE)
        if asset.home is None:
            changes += assets.home_changes(target)
        holder = asset.custodian_name or asset.status
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            to_slot=target,
            person=asset.custodian,
            person_name=asset.custodian_name,
            changes=changes,
            summary=f"{asset.tag} <- {holder}, into {target}",
        )


@dataclass(frozen=True)
class StatusChange(Operation):
    """A plain status change that leaves the slot and custody; subclasses say which.

    Each subclass names its change in the class line::

        class Repair(StatusChange, op="repair", to_status="REPAIR", ...)
    """

    to_status: ClassVar[str]
    allowed: ClassVar[tuple[str, ...]]
    doing: ClassVar[str]
    tag: str

    def __init_subclass__(
        cls, *, op: str, to_status: str, allowed: tuple[str, ...], doing: str
    ) -> None:
        super().__init_subclass__()
        cls.op, cls.to_status, cls.allowed, cls.doing = op, to_status, allowed, doing

    def plan(self, conn: sqlite3.Connection) -> Plan:
        asset = assets.get(conn, self.tag)
        if asset.status not in self.allowed:
            raise _blocked(asset, self.doing)
        changes: Changes = (("status", self.to_status), *_RELEASE)
        if self.to_status == "RETIRED":
            changes += assets.home_changes(None)
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            from_slot=asset.slot,
            person=asset.custodian,
            person_name=asset.custodian_name,
            changes=changes,
            summary=f"{asset.tag}: {asset.status} -> {self.to_status}",
        )


class Repair(
    StatusChange,
    op="repair",
    to_status="REPAIR",
    allowed=("IN_STOCK", "IN_CUSTODY"),
    doing="send to repair",
):
    """IN_STOCK or IN_CUSTODY -> REPAIR."""


class Retire(
    StatusChange,
    op="retire",
    to_status="RETIRED",
    allowed=("IN_STOCK", "REPAIR", "LOST"),
    doing="retire",
):
    """IN_STOCK, REPAIR or LOST -> RETIRED, for good (never while someone holds it)."""


class MarkLost(
    StatusChange,
    op="lost",
    to_status="LOST",
    allowed=("IN_STOCK", "IN_CUSTODY", "REPAIR"),
    doing="mark lost",
):
    """IN_STOCK, IN_CUSTODY or REPAIR -> LOST."""


class MarkFound(
    StatusChange, op="found", to_status="IN_STOCK", allowed=("LOST",), doing="mark found"
):
    """LOST -> IN_STOCK, not yet slotted."""


#: The status changes by the name the CLI and the log give them.
STATUS_CHANGES: dict[str, type[StatusChange]] = {
    cls.op: cls for cls in (Repair, Retire, MarkLost, MarkFound)
}
