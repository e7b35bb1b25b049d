"""Snipe-IT's asset CSV: read it into import records, write our assets back out.

A site can move from Snipe-IT, or run alongside it, with the CSV files
Snipe-IT's importer reads and its exporter writes.

Columns are matched case-insensitively, ignoring surrounding spaces:

================================  ===========================================
``Asset Tag`` (required)          the tag
``Item Name``, ``Asset Name``     the asset's name
``Model Name``, ``Model``         model
``Serial Number``, ``Serial``     serial number
``Status``, ``Status Label``      status label, mapped by :data:`STATUS_MAP`
``Location``                      a slot: ``CASE:POS`` or ``CASE slot POS``
``Notes``                         notes (may span lines)
``Username``, ``Email``           the person it is checked out to (badge)
``Full Name``, ``Name``           that person's name (and badge if no other)
================================  ===========================================

Any other column is reported and ignored; when a name appears twice the
first column wins. A row naming a person is an asset checked out to that
person. Rows are numbered as a spreadsheet shows them: the header is row 1.

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
from kiosk.domain.types import STATUSES, Asset, SlotRef
from kiosk.errors import InvalidInput, NotFound
from kiosk.sanitize import clean

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
}

# Snipe-IT status label (lower case) -> our status. Override with --status-map.
STATUS_MAP: dict[str, str] = {
    "": "IN_STOCK",
    "ready to deploy": "IN_STOCK",
    "deployable": "IN_STOCK",
    "deployed": "IN_STOCK",
    "in stock": "IN_STOCK",
    "pending": "REPAIR",
    "undeployable": "REPAIR",
    "out for repair": "REPAIR",
    "out for diagnostics": "REPAIR",
    "archived": "RETIRED",
    "retired": "RETIRED",
    "lost": "LOST",
    "stolen": "LOST",
    "lost/stolen": "LOST",
    **{s.lower(): s for s in STATUSES},
    "in_custody": "IN_CUSTODY",
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


@dataclass
class Sheet:
    """A parsed file: its records and what was noticed on the way."""

    records: list[Record]
    ignored_columns: list[str]
    empty_rows: int
    columns: dict[str, str]


def parse_status_map(items: Iterable[str]) -> dict[str, str]:
    """``["Broken=REPAIR", ...]`` -> the default map with those labels replaced."""
    mapping = dict(STATUS_MAP)
    for item in items:
        label, sep, status = item.rpartition("=")
        status = status.strip().upper()
        if not sep or not label.strip():
            raise InvalidInput(f"--status-map wants LABEL=STATUS, got {clean(item)}")
        if status not in STATUSES:
            raise InvalidInput(
                f"--status-map {clean(item)}: status must be one of {', '.join(STATUSES)}"
            )
        mapping[label.strip().lower()] = status
    return mapping


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


def read(path: str | Path, status_map: Mapping[str, str] | None = None) -> Sheet:
    """Read and check a Snipe-IT asset CSV; :class:`ImportRefused` lists every problem."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no such file: {clean(path)}") from None
    except OSError as err:
        raise InvalidInput(f"cannot read {clean(path)}: {err.strerror}") from None
    return parse(decode(data, str(path)), status_map)


def parse(text: str, status_map: Mapping[str, str] | None = None) -> Sheet:
    status_map = STATUS_MAP if status_map is None else status_map
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
    for index, raw in enumerate(header):
        key = COLUMNS.get(raw.strip().lower())
        if key is None or key in columns:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        columns[key], names[key] = index, raw.strip()
    if "tag" not in columns:
        raise ImportRefused([Problem(1, "Asset Tag", "the file has no Asset Tag column")])
    records: list[Record] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    empty = 0
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                empty += 1
                continue
            values = {k: (cells[i] if i < len(cells) else "") for k, i in columns.items()}
            record = _record(number, values, names, status_map, problems)
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
    status_map: Mapping[str, str],
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
    full_name = check("full_name", validate.text, "name", values.get("full_name", ""))
    holder = ""
    for key in ("username", "email", "full_name"):
        if values.get(key, "").strip():
            holder = key
            break
    badge = check(holder, validate.badge, values[holder]) if holder else None
    label = values.get("status", "").strip()
    status = status_map.get(label.lower())
    column = names.get("status", "Status")
    if status is None:
        problems.append(
            Problem(number, column, f'unknown status "{label}"; map it with --status-map')
        )
    elif holder:
        if status not in ("IN_STOCK", "IN_CUSTODY"):
            problems.append(
                Problem(number, column, f'"{label}" ({status}) but checked out to {badge}')
            )
        status = "IN_CUSTODY"
    elif status == "IN_CUSTODY":
        problems.append(Problem(number, column, f'"{label}" needs a Username, Email or Name'))
    if len(problems) > before:
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
    )


# -- export ---------------------------------------------------------------------


def export_rows(items: Iterable[Asset]) -> Iterable[list[str]]:
    """Rows (header first) for our assets, in the format :func:`parse` reads back."""
    yield list(EXPORT_HEADERS)
    for a in items:
        location = a.slot or (a.home if a.status == "IN_CUSTODY" else None)
        yield [
            a.tag,
            a.name,
            a.model,
            a.serial,
            EXPORT_LABELS[a.status],
            "" if location is None else str(location),
            a.notes,
            a.custodian or "",
            a.custodian_name or "",
        ]


def write(items: Iterable[Asset], out: io.TextIOBase) -> int:
    """Write the CSV to ``out``; returns the number of assets written."""
    writer = csv.writer(out, lineterminator="\r\n")
    count = -1
    for row in export_rows(items):
        writer.writerow(row)
        count += 1
    return count
