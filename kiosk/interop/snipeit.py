"""Snipe-IT's asset CSV: read it into import records, write our assets back out.

A site can move from Snipe-IT, or run alongside it, with the CSV files
Snipe-IT's importer reads and its exporter writes.

Columns are matched case-insensitively, ignoring surrounding spaces:

================================  ===========================================
``Asset Tag`` (required)          the tag
``Item Name``, ``Asset Name``     the asset's name
``Model Name``, ``Model``         model
``Serial Number``, ``Serial``     serial number
``Status``, ``Status Label``      status label (see :mod:`kiosk.interop.statuses`)
``Location``                      a slot: ``CASE:POS`` or ``CASE slot POS``
``Notes``                         notes (may span lines)
``Username``, ``Email``           the person it is checked out to (badge)
``Full Name``, ``Name``           that person's name (and badge if no other)
``First Name``, ``Last Name``     that person's name, in two columns
``ID``                            the asset's id in Snipe-IT (kept: QR labels)
================================  ===========================================

Any other column is reported and ignored; when a name appears twice the
first column wins. Rows are numbered as a spreadsheet shows them: the
header is row 1.

A row naming a person is an asset checked out to that person, whatever its
status label says: that is what Snipe-IT's own importer does (it checks the
asset out without looking at the label). The badge is the username, else
the email, else the name; ``badge_column`` names another column to take it
from (``Employee Number``). The label is kept in the import's event and the
report counts such rows. With ``strict`` a checked-out row whose label
means repair, retired or lost is refused instead, as is an unmapped label.

Cells that export guarded against spreadsheets (see :mod:`kiosk.interop.formulas`)
are read back as the original text.

For an asset already known, a non-empty cell that differs updates the
name, model, serial or notes; status, slot and custodian stay as the
kiosk knows them and a difference is reported (see :mod:`kiosk.interop.importer`).

``Location`` puts a new, in-stock asset into that slot when the slot exists
and is empty; for an asset checked out it becomes the home slot (where
stock-in returns it). Any other location (a room name, a taken slot) is
ignored with a note.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.domain import validate
from kiosk.domain.types import Asset, SlotRef
from kiosk.errors import InvalidInput, NotFound
from kiosk.interop import statuses
from kiosk.interop.formulas import guard, unguard
from kiosk.interop.statuses import STATUS_MAP, parse_status_map
from kiosk.sanitize import clean

__all__ = ["STATUS_MAP", "parse_status_map"]

# header (lower case) -> our field
COLUMNS: dict[str, str] = {
    "asset tag": "tag",
    "item name": "name",
    "asset name": "name",
    "model name": "model",
    "model": "model",
    "serial number": "serial",
    "serial": "serial",
    "status": "status",
    "status label": "status",
    "location": "location",
    "notes": "notes",
    "username": "username",
    "email": "email",
    "full name": "full_name",
    "name": "full_name",
    "first name": "first_name",
    "last name": "last_name",
    "id": "snipeit_id",
}

# Our status -> the label written on export (each maps back to the same status).
EXPORT_LABELS = {
    "IN_STOCK": "Ready to Deploy",
    "IN_CUSTODY": "Ready to Deploy",
    "REPAIR": "Pending",
    "RETIRED": "Archived",
    "LOST": "Lost",
}
EXPORT_HEADERS = (
    "Asset Tag",
    "Item Name",
    "Model Name",
    "Serial Number",
    "Status",
    "Location",
    "Notes",
    "Username",
    "Full Name",
    "ID",
)
DESCRIPTIVE = ("name", "model", "serial", "notes")
_SLOT_WORD = re.compile(r"^(?P<case>.+?)\s+slot\s+(?P<pos>\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where a person can find it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRefused(InvalidInput):
    """The file cannot be imported; :attr:`problems` says where and why."""

    code = "invalid_import"

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(clean(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"nothing imported: {shown}{more}")
        self.problems = problems
        self.details = {"problems": [p.as_dict() for p in problems]}


@dataclass(frozen=True)
class Record:
    """One asset row, checked and mapped to our terms."""

    row: int
    tag: str
    status: str
    # Descriptive fields whose column is present in the file.
    fields: Mapping[str, str] = field(default_factory=dict)
    badge: str | None = None
    person_name: str = ""
    location: str = ""
    slot: SlotRef | None = None
    #: The Snipe-IT status label as written, and how it was mapped
    #: (:data:`~kiosk.interop.statuses.KNOWN`, ``BY_WORDS``, ``DEFAULT``).
    label: str = ""
    label_how: str = statuses.KNOWN
    snipeit_id: int | None = None


@dataclass
class Sheet:
    """A parsed file: its records and what was noticed on the way."""

    records: list[Record]
    ignored_columns: list[str]
    empty_rows: int
    columns: dict[str, str]


def parse_location(text: str) -> SlotRef | None:
    """``CART-A:4`` or ``CART-A slot 4`` -> the slot; anything else -> None."""
    text = text.strip()
    match = _SLOT_WORD.match(text)
    try:
        if match:
            return SlotRef.of(match["case"], match["pos"])
        if ":" in text:
            return SlotRef.parse(text)
    except InvalidInput:
        return None
    return None


def decode(data: bytes, name: str = "file") -> str:
    """UTF-8 with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInput(
            f"{clean(name)} is not UTF-8 (byte {err.start}); save it as CSV UTF-8"
        ) from None


@dataclass(frozen=True)
class Rules:
    """How to read a file: the label map, strictness, and where badges come from."""

    status_map: Mapping[str, str] = field(default_factory=lambda: STATUS_MAP)
    strict: bool = False
    badge_column: str | None = None


def read(path: str | Path, rules: Rules | None = None) -> Sheet:
    """Read and check a Snipe-IT asset CSV; :class:`ImportRefused` lists every problem."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no such file: {clean(path)}") from None
    except OSError as err:
        raise InvalidInput(f"cannot read {clean(path)}: {err.strerror}") from None
    return parse(decode(data, str(path)), rules)


def parse(text: str, rules: Rules | None = None) -> Sheet:
    rules = rules or Rules()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise ImportRefused([Problem(1, "", f"not a CSV file: {err}")]) from None
    if header is None:
        raise ImportRefused([Problem(1, "", "the file is empty")])
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored = []
    wanted = (rules.badge_column or "").strip().lower()
    for index, raw in enumerate(header):
        if wanted and raw.strip().lower() == wanted and "badge" not in columns:
            columns["badge"], names["badge"] = index, raw.strip()
            continue
        key = COLUMNS.get(raw.strip().lower())
        if key is None or key in columns:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        columns[key], names[key] = index, raw.strip()
    if "tag" not in columns:
        raise ImportRefused([Problem(1, "Asset Tag", "the file has no Asset Tag column")])
    if wanted and "badge" not in columns:
        raise ImportRefused(
            [Problem(1, rules.badge_column or "", "the file has no such column for badges")]
        )
    records: list[Record] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    empty = 0
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                empty += 1
                continue
            values = {k: (unguard(cells[i]) if i < len(cells) else "") for k, i in columns.items()}
            record = _record(number, values, names, rules, problems)
            if record is None:
                continue
            if record.tag in seen:
                problems.append(
                    Problem(
                        number,
                        names["tag"],
                        f"asset tag {record.tag} already appears in row {seen[record.tag]}",
                    )
                )
                continue
            if record.snipeit_id is not None:
                first = seen_ids.setdefault(record.snipeit_id, number)
                if first != number:
                    problems.append(
                        Problem(
                            number,
                            names["snipeit_id"],
                            f"Snipe-IT id {record.snipeit_id} already appears in row {first}",
                        )
                    )
                    continue
            seen[record.tag] = number
            records.append(record)
    except csv.Error as err:
        problems.append(Problem(number, "", f"unreadable CSV: {err}"))
    if problems:
        raise ImportRefused(problems)
    return Sheet(records, ignored, empty, names)


def _record(
    number: int,
    values: dict[str, str],
    names: dict[str, str],
    rules: Rules,
    problems: list[Problem],
) -> Record | None:
    before = len(problems)

    def check(key: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except InvalidInput as err:
            problems.append(Problem(number, names.get(key, key), err.message))
            return None

    tag = check("tag", validate.tag, values["tag"])
    fields = {}
    for key in DESCRIPTIVE:
        if key in values:
            limit = validate.NOTES_MAX if key == "notes" else validate.NAME_MAX
            fields[key] = check(key, validate.text, key, values[key], limit)
    given = " ".join(values.get(k, "").strip() for k in ("first_name", "last_name")).strip()
    full_name = check("full_name", validate.text, "name", values.get("full_name", "") or given)
    holder = ""
    for key in ("badge", "username", "email", "full_name", "first_name", "last_name"):
        if values.get(key, "").strip():
            holder = key
            break
    raw_badge = (
        (given if holder in ("first_name", "last_name") else values[holder]) if holder else ""
    )
    badge = check(holder, validate.badge, raw_badge) if holder else None
    snipeit_id = check("snipeit_id", _snipeit_id, values.get("snipeit_id", ""))
    label = values.get("status", "").strip()
    mapped = statuses.map_label(label, rules.status_map, strict=rules.strict)
    column = names.get("status", "Status")
    status = None if mapped is None else mapped.status
    if mapped is None:
        problems.append(
            Problem(number, column, f'unknown status "{label}"; map it with --status-map')
        )
    elif holder:
        if rules.strict and status not in ("IN_STOCK", "IN_CUSTODY"):
            problems.append(
                Problem(number, column, f'"{label}" ({status}) but checked out to {badge}')
            )
        # Snipe-IT checks a row with a user out to them whatever its label says.
        status = "IN_CUSTODY"
    elif status == "IN_CUSTODY":
        problems.append(Problem(number, column, f'"{label}" needs a Username, Email or Name'))
    if len(problems) > before or status is None or mapped is None:
        return None
    location = values.get("location", "").strip()
    return Record(
        row=number,
        tag=tag,
        status=status,
        fields=fields,
        badge=badge,
        person_name=full_name or "",
        location=location,
        slot=parse_location(location) if location else None,
        label=label,
        label_how=mapped.how,
        snipeit_id=snipeit_id,
    )


def _snipeit_id(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise InvalidInput(f"Snipe-IT id must be a whole number from 1, got {clean(text)}")
    return int(text)


# -- export ---------------------------------------------------------------------


def export_rows(items: Iterable[Asset]) -> Iterable[list[str]]:
    """Rows (header first) for our assets, in the format :func:`parse` reads back.

    Every cell is guarded against spreadsheet formulas (:func:`~kiosk.interop.formulas.guard`).
    """
    yield list(EXPORT_HEADERS)
    for a in items:
        location = a.slot or (a.home if a.status == "IN_CUSTODY" else None)
        yield [
            guard(cell)
            for cell in (
                a.tag,
                a.name,
                a.model,
                a.serial,
                EXPORT_LABELS[a.status],
                "" if location is None else str(location),
                a.notes,
                a.custodian or "",
                a.custodian_name or "",
                "" if a.snipeit_id is None else str(a.snipeit_id),
            )
        ]


def write(items: Iterable[Asset], out: io.TextIOBase) -> int:
    """Write the CSV to ``out``; returns the number of assets written."""
    writer = csv.writer(out, lineterminator="\r\n")
    count = -1
    for row in export_rows(items):
        writer.writerow(row)
        count += 1
    return count
