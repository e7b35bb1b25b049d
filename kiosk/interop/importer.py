"""Apply imported asset records through the same operations the kiosk uses.

Every row becomes operations (:class:`AddAsset`, then :class:`StockOut`,
:class:`Repair`, :class:`Retire` or :class:`MarkLost` for an asset not in
stock; :class:`UpdateAsset` for changed fields of a known asset), each
planned and applied inside ONE write transaction:
the import is all-or-nothing, and each change has its event as usual.

A dry run does exactly the same work on a :class:`~kiosk.store.scratch.Scratch`
copy of the database, so what it reports is what ``--commit`` would do, and
it never takes the write lock: the kiosk and the CLI work on meanwhile.

A commit cannot be cut into chunks without losing all-or-nothing, so it
holds the write lock from the first row to the last (the kiosk shows "Busy"
for a Confirm meanwhile). It first does the dry run, which checks the file
without any lock and measures how long the work takes; when that is over
:data:`SAY_ABOVE` seconds, ``notice`` is told before the lock is taken.

For a known asset only non-empty cells that differ are changed. Its
status, slot and custodian are the kiosk's to know: a file
that disagrees is reported ("skip") and left as is. Re-importing a file
therefore changes nothing.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain import assets, people, slots
from kiosk.domain.custody import MarkLost, Repair, Retire, StatusChange, StockOut
from kiosk.domain.intake import AddAsset, UpdateAsset
from kiosk.domain.operations import run_in
from kiosk.domain.ports import Store
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import KioskError
from kiosk.interop import statuses
from kiosk.interop.snipeit import ImportRefused, Problem, Record, Sheet
from kiosk.store.scratch import Scratch

#: A commit that will hold the write lock longer than this (s) is announced.
SAY_ABOVE = 1.0

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
    #: Seconds the work took (on the copy for a dry run; under the lock for a commit).
    seconds: float = 0.0

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)


def run(
    db: Store,
    sheet: Sheet,
    *,
    actor: str,
    commit: bool,
    notice: Callable[[str], None] | None = None,
) -> Report:
    """Import ``sheet``; with ``commit`` False nothing is kept and no lock is taken."""
    with Scratch(db.path) as scratch:
        report = _run(scratch, sheet, actor, committed=False)
    if not commit:
        return report
    if report.seconds > SAY_ABOVE and notice is not None:
        notice(
            f"importing {len(sheet.records)} rows holds the database for about "
            f"{report.seconds:.0f} s: the kiosk answers Busy until it is done"
        )
    return _run(db, sheet, actor, committed=True)


def _run(db: Store, sheet: Sheet, actor: str, *, committed: bool) -> Report:
    report = Report(committed=committed)
    problems: list[Problem] = []
    with db.write() as conn:
        started = time.monotonic()
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
        report.seconds = time.monotonic() - started
    return report


def labels(sheet: Sheet) -> dict[str, object]:
    """What the report says about status labels.

    ``checked_out``: rows checked out to a person, and how many of them had
    each label (kept in the import event); ``guessed``: labels mapped by their
    words; ``unknown``: labels imported as IN_STOCK. Each with its row count.
    """
    out: Counter[str] = Counter()
    guessed: dict[str, tuple[str, int]] = {}
    unknown: Counter[str] = Counter()
    for r in sheet.records:
        if r.badge is not None:
            out[r.label] += 1
        elif r.label_how == statuses.BY_WORDS:
            guessed[r.label] = (r.status, guessed.get(r.label, ("", 0))[1] + 1)
        elif r.label_how == statuses.DEFAULT:
            unknown[r.label] += 1
    return {
        "checked_out": {"rows": out.total(), "labels": dict(out.most_common())},
        "guessed": [{"label": k, "status": s, "rows": n} for k, (s, n) in guessed.items()],
        "unknown": [{"label": k, "rows": n} for k, n in unknown.most_common()],
    }


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
    add = AddAsset(
        tag=record.tag,
        **record.fields,
        into=into,
        home=home,
        snipeit_id=record.snipeit_id,
        snipeit_status=record.label,
    )
    run_in(conn, add, actor=actor)
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
    changed: dict[str, Any] = {
        k: v for k, v in record.fields.items() if v and getattr(asset, k) != v
    }
    if record.snipeit_id is not None and record.snipeit_id != asset.snipeit_id:
        changed["snipeit_id"] = record.snipeit_id
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
