"""Apply imported asset records through the same operations the kiosk uses.

Every row becomes operations (:class:`AddAsset`, then :class:`StockOut`,
:class:`Repair`, :class:`Retire` or :class:`MarkLost` for an asset not in
stock; :class:`UpdateAsset` for changed fields of a known asset), each
planned and applied inside ONE write transaction:
the import is all-or-nothing, and each change has its event as usual. A
dry run does exactly the same work and rolls the transaction back, so what
it reports is what ``--commit`` would do.

For a known asset only non-empty cells that differ are changed. Its
status, slot and custodian are the kiosk's to know: a file
that disagrees is reported ("skip") and left as is. Re-importing a file
therefore changes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from kiosk.domain import assets, people, slots
from kiosk.domain.custody import MarkLost, Repair, Retire, StatusChange, StockOut
from kiosk.domain.intake import AddAsset, UpdateAsset
from kiosk.domain.operations import run_in
from kiosk.domain.ports import Store
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import KioskError
from kiosk.interop.snipeit import ImportRefused, Problem, Record, Sheet

_STATUS_OPS: dict[str, type[StatusChange]] = {"REPAIR": Repair, "RETIRED": Retire, "LOST": MarkLost}


@dataclass
class Action:
    row: int
    tag: str
    action: str  # add | change | unchanged | skip
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "tag": self.tag, "action": self.action, "detail": self.detail}


@dataclass
class Report:
    committed: bool
    actions: list[Action] = field(default_factory=list)
    people_added: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def run(db: Store, sheet: Sheet, *, actor: str, commit: bool) -> Report:
    """Import ``sheet``; with ``commit`` False nothing is kept."""
    report = Report(committed=commit)
    problems: list[Problem] = []
    try:
        with db.write() as conn:
            for record in sheet.records:
                try:
                    report.actions.append(_one(conn, record, actor, report))
                except KioskError as err:
                    problems.append(Problem(record.row, "", err.message))
                except sqlite3.IntegrityError as err:
                    # The schema's own guard: the row is refused, the import fails whole.
                    problems.append(Problem(record.row, "", f"refused by the database: {err}"))
            if problems:
                raise ImportRefused(problems)
            if not commit:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _one(conn: sqlite3.Connection, record: Record, actor: str, report: Report) -> Action:
    existing = assets.find(conn, record.tag)
    if existing is None:
        return _add(conn, record, actor, report)
    return _reconcile(conn, existing, record, actor)


def _add(conn: sqlite3.Connection, record: Record, actor: str, report: Report) -> Action:
    notes = []
    into: SlotRef | None = None
    home: SlotRef | None = None
    if record.location:
        if record.slot is None:
            why = "not a slot"
        elif record.status not in ("IN_STOCK", "IN_CUSTODY"):
            why = f"an asset in {record.status} takes no slot"
        else:
            why = _slot_problem(conn, record.slot, record)
        if why:
            notes.append(f"location {record.location} ignored: {why}")
        elif record.status == "IN_STOCK":
            into = record.slot
        else:
            home = record.slot
    run_in(conn, AddAsset(tag=record.tag, **record.fields, into=into, home=home), actor=actor)
    if record.status == "IN_CUSTODY" and record.badge is not None:
        if _person(conn, record, record.badge, actor):
            report.people_added.append(record.badge)
            notes.append(f"person {record.badge} added")
        run_in(conn, StockOut(record.tag, record.badge), actor=actor)
    elif record.status in _STATUS_OPS:
        run_in(conn, _STATUS_OPS[record.status](record.tag), actor=actor)
    where = f" into {into}" if into else (f", out with {record.badge}" if record.badge else "")
    detail = f"{record.status}{where}"
    return Action(record.row, record.tag, "add", "; ".join([detail, *notes]))


def _slot_problem(conn: sqlite3.Connection, slot: SlotRef, record: Record) -> str:
    try:
        holder = slots.occupant(conn, slot)
    except KioskError as err:
        return err.message
    if holder is not None and record.status == "IN_STOCK":
        return f"slot holds {holder}"
    return ""


def _person(conn: sqlite3.Connection, record: Record, badge: str, actor: str) -> bool:
    """Make sure the holder exists; True when this import registers them."""
    found = conn.execute("SELECT 1 FROM people WHERE badge = ?", (badge,)).fetchone()
    if found:
        return False
    people.insert_person(conn, badge, record.person_name, actor=actor)
    return True


def _reconcile(conn: sqlite3.Connection, asset: Asset, record: Record, actor: str) -> Action:
    # An empty cell leaves a known asset's field as it is (as Snipe-IT's importer does).
    changed = {k: v for k, v in record.fields.items() if v and getattr(asset, k) != v}
    differs = []
    if asset.status != record.status:
        differs.append(f"status is {asset.status}, file says {record.status}")
    elif asset.custodian != record.badge:
        differs.append(f"held by {asset.custodian}, file says {record.badge}")
    kept = "; ".join(f"{d}: left as is" for d in differs)
    if changed:
        run_in(conn, UpdateAsset(tag=record.tag, **changed), actor=actor)
        detail = "changed " + ", ".join(changed)
        return Action(record.row, record.tag, "change", "; ".join(filter(None, [detail, kept])))
    if differs:
        return Action(record.row, record.tag, "skip", kept)
    return Action(record.row, record.tag, "unchanged")
