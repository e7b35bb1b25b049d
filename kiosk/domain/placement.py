"""Placing in-stock assets: assign to a slot, move between slots, vacate a slot.

Each request checks the slot rules first so that a refusal says, in words,
what blocks it; the schema enforces the same rules again underneath.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import ClassVar

from kiosk.domain import assets, slots
from kiosk.domain.operations import AssetState, Operation, Plan
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import HardStop


def _in_stock_asset(conn: sqlite3.Connection, tag: str) -> Asset:
    asset = assets.get(conn, tag)
    if asset.status == "IN_CUSTODY":
        raise HardStop(
            f"{asset.tag} is out with {asset.custodian_name} ({asset.custodian}); use stock-in",
            code="wrong_state",
        )
    if asset.status != "IN_STOCK":
        raise HardStop(f"{asset.tag} is {asset.status}", code="wrong_state")
    return asset


@dataclass(frozen=True)
class Assign(Operation):
    """Put an in-stock, unslotted asset into an empty slot (it becomes home if none)."""

    op: ClassVar[str] = "assign"
    tag: str
    slot: SlotRef

    def plan(self, conn: sqlite3.Connection) -> Plan:
        asset = _in_stock_asset(conn, self.tag)
        if asset.slot is not None:
            raise HardStop(f"{asset.tag} is already in {asset.slot}", code="already_slotted")
        slots.require_empty(conn, self.slot)
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            to_slot=self.slot,
            changes=assets.home_changes(self.slot) if asset.home is None else (),
            summary=f"{asset.tag} -> {self.slot}",
        )


def _lent_home(conn: sqlite3.Connection, slot: SlotRef) -> Asset | None:
    """The asset out on loan whose home is ``slot``: its return will need that slot."""
    row = conn.execute(
        "SELECT tag FROM assets WHERE home_case = ? AND home_pos = ? AND status = 'IN_CUSTODY'",
        (slot.case, slot.pos),
    ).fetchone()
    return None if row is None else assets.get(conn, row[0])


@dataclass(frozen=True)
class Move(Operation):
    """Move a slotted asset to an empty slot; an asset that lived at home takes its home along.

    The home of a laptop out on loan is kept for its return (the kiosk's
    stock-in lights it): moving another asset there is a hard stop naming
    the loan, unless ``force``, which the event then records.
    """

    op: ClassVar[str] = "move"
    tag: str
    slot: SlotRef
    force: bool = False

    def plan(self, conn: sqlite3.Connection) -> Plan:
        asset = _in_stock_asset(conn, self.tag)
        if asset.slot is None:
            raise HardStop(f"{asset.tag} is not in a slot; use slot assign", code="not_slotted")
        if asset.slot == self.slot:
            raise HardStop(f"{asset.tag} is already in {self.slot}", code="already_slotted")
        slots.require_empty(conn, self.slot)
        lent = _lent_home(conn, self.slot)
        forced: tuple[tuple[str, object], ...] = ()
        if lent is not None:
            loan = f"{lent.tag}, out with {lent.custodian_name} ({lent.custodian})"
            if not self.force:
                raise HardStop(
                    f"slot {self.slot} is the home of {loan}; its return needs it: "
                    "choose another slot, or --force",
                    code="slot_is_home",
                )
            forced = (("forced", f"home of {loan}"),)
        at_home = asset.home in (None, asset.slot)
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            from_slot=asset.slot,
            to_slot=self.slot,
            changes=assets.home_changes(self.slot) if at_home else (),
            notes=forced,
            summary=f"{asset.tag}: {asset.slot} -> {self.slot}",
        )


@dataclass(frozen=True)
class Vacate(Operation):
    """Empty a slot, named by position or by the asset in it (which stays in stock)."""

    op: ClassVar[str] = "vacate"
    slot: SlotRef | None = None
    tag: str | None = None

    def __post_init__(self) -> None:
        if (self.slot is None) == (self.tag is None):
            raise ValueError("vacate needs a slot or a tag, not both")

    def plan(self, conn: sqlite3.Connection) -> Plan:
        tag = self.tag
        if self.slot is not None:
            tag = slots.occupant(conn, self.slot)
            if tag is None:
                raise HardStop(f"slot {self.slot} is empty", code="slot_empty")
        asset = assets.get(conn, str(tag))
        if asset.slot is None:
            raise HardStop(f"{asset.tag} is not in a slot", code="not_slotted")
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            from_slot=asset.slot,
            summary=f"{asset.tag} out of {asset.slot}",
        )
