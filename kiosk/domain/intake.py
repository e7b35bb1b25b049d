"""Registering assets and changing how they are described.

A new asset may go straight into a slot (intake): the kiosk proposes the
first free slot (``into=AUTO``), the CLI names one. The slot it goes into
becomes its home unless a home is named.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import ClassVar, Final, Literal

from kiosk.domain import assets, slots, validate
from kiosk.domain.operations import AssetState, Operation, Plan
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, InvalidInput

#: ``AddAsset(into=AUTO)``: the first free slot, as the kiosk proposes it.
AUTO: Final = "auto"


@dataclass(frozen=True, kw_only=True)
class AddAsset(Operation):
    """Register a new asset, optionally straight into a slot."""

    op: ClassVar[str] = "add"
    tag: str
    name: str = ""
    model: str = ""
    serial: str = ""
    notes: str = ""
    home: SlotRef | None = None
    into: SlotRef | Literal["auto"] | None = None
    #: The asset's id in Snipe-IT, when it came from there.
    snipeit_id: int | None = None
    #: The status label Snipe-IT gave it: kept in the event, not a column
    #: (the kiosk's own status says what it means here).
    snipeit_status: str = ""

    def plan(self, conn: sqlite3.Connection) -> Plan:
        tag = validate.tag(self.tag)
        existing = assets.find(conn, tag)
        if existing is not None:
            where = f" in {existing.slot}" if existing.slot else f" ({existing.status})"
            raise HardStop(f"asset {tag} already exists{where}", code="already_exists")
        target = slots.first_free(conn) if self.into == AUTO else self.into
        if isinstance(target, SlotRef):
            slots.require_empty(conn, target)
        else:
            target = None
        if self.home is not None:
            slots.require_exists(conn, self.home)
        changes = (
            ("name", validate.text("name", self.name)),
            ("model", validate.text("model", self.model)),
            ("serial", validate.text("serial", self.serial)),
            ("notes", validate.text("notes", self.notes, validate.NOTES_MAX)),
            ("status", "IN_STOCK"),
            *assets.home_changes(self.home or target),
            *_snipeit_id(conn, tag, self.snipeit_id),
            *((("snipeit_status", self.snipeit_status),) if self.snipeit_status else ()),
        )
        return Plan(
            request=self,
            tag=tag,
            to_slot=target,
            changes=changes,
            summary=f"add {tag}" + (f" into {target}" if target else ""),
        )

    def write_asset(self, conn: sqlite3.Connection, plan: Plan) -> None:
        """Insert the row (before the slot is taken: a slot holds only a known asset)."""
        assets.insert(conn, plan.subject, dict(plan.changes))


@dataclass(frozen=True, kw_only=True)
class UpdateAsset(Operation):
    """Change an asset's descriptive fields (None leaves a field as it is).

    Status, slot and custody change only through their own operations.
    """

    op: ClassVar[str] = "update"
    tag: str
    name: str | None = None
    model: str | None = None
    serial: str | None = None
    notes: str | None = None
    snipeit_id: int | None = None

    def plan(self, conn: sqlite3.Connection) -> Plan:
        asset = assets.get(conn, self.tag)
        changes: list[tuple[str, object]] = []
        for field_name in assets.DESCRIPTIVE:
            value = getattr(self, field_name)
            if value is None:
                continue
            limit = validate.NOTES_MAX if field_name == "notes" else validate.NAME_MAX
            value = validate.text(field_name, value, limit)
            if value != getattr(asset, field_name):
                changes.append((field_name, value))
        if self.snipeit_id is not None and self.snipeit_id != asset.snipeit_id:
            changes.extend(_snipeit_id(conn, asset.tag, self.snipeit_id))
        if not changes:
            raise HardStop(f"{asset.tag}: nothing to change", code="unchanged")
        return Plan(
            request=self,
            tag=asset.tag,
            before=AssetState.of(asset),
            changes=tuple(changes),
            summary=f"{asset.tag}: " + ", ".join(c for c, _ in changes),
        )


def _snipeit_id(conn: sqlite3.Connection, tag: str, snipeit_id: int | None) -> assets.Changes:
    """The change that gives ``tag`` this Snipe-IT id; a hard stop when another asset has it."""
    if snipeit_id is None:
        return ()
    if isinstance(snipeit_id, bool) or not isinstance(snipeit_id, int) or snipeit_id < 1:
        raise InvalidInput(f"Snipe-IT id must be a whole number from 1, got {snipeit_id!r}")
    holder = assets.tag_of_snipeit_id(conn, snipeit_id)
    if holder is not None and holder != tag:
        raise HardStop(f"Snipe-IT id {snipeit_id} already belongs to {holder}")
    return (("snipeit_id", snipeit_id),)
