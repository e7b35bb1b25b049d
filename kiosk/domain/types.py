"""The domain's shared values: slots, statuses, assets.

Plain frozen dataclasses: they compare by value, so a plan made at preview
time can be compared with the plan made again at commit time.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain import validate
from kiosk.errors import InvalidInput
from kiosk.sanitize import clean

#: Every status an asset can have; the schema's CHECK lists the same.
STATUSES = ("IN_STOCK", "IN_CUSTODY", "REPAIR", "RETIRED", "LOST")


@dataclass(frozen=True, order=True)
class SlotRef:
    """A physical slot: case name and 1-based position. Printed ``CASE:POS``."""

    case: str
    pos: int

    def __str__(self) -> str:
        return f"{self.case}:{self.pos}"

    @classmethod
    def of(cls, case: object, pos: object) -> SlotRef:
        """A checked slot from a case name and a position as people type them."""
        return cls(validate.case_name(case), validate.position(pos))

    @classmethod
    def parse(cls, ref: object) -> SlotRef:
        """Parse ``CASE:POS`` (as printed in JSON, events and slot barcodes)."""
        text = str(ref).strip()
        case, sep, pos = text.rpartition(":")
        if not sep:
            raise InvalidInput(f"slot must be CASE:POS: {clean(text)}")
        return cls.of(case, pos)


def slot_or_none(case: str | None, pos: int | None) -> SlotRef | None:
    """A slot from two nullable columns (a home, a current slot)."""
    return None if case is None or pos is None else SlotRef(case, pos)


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
    #: The asset's id in Snipe-IT (its QR labels hold ``.../hardware/ID``).
    snipeit_id: int | None = None

    def as_dict(self) -> dict[str, object]:
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
            "snipeit_id": self.snipeit_id,
        }
