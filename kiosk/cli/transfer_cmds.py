"""Snipe-IT files in and out: ``asset import`` and ``asset export``.

The work lives in :mod:`kiosk.interop.snipeit` and :mod:`kiosk.interop.importer`.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

from kiosk.cli.context import Context
from kiosk.cli.output import Result, table, terminal_safe
from kiosk.cli.parsing import Commands
from kiosk.domain import assets
from kiosk.errors import InvalidInput, KioskError
from kiosk.interop import importer, snipeit
from kiosk.sanitize import clean


def add_actions(sub: Commands) -> None:
    """``asset import`` and ``asset export``, added to the ``asset`` command."""
    p = sub.add(
        "import",
        "Read a Snipe-IT asset CSV: dry run, or all-or-nothing with --commit.",
        "assettrack asset import snipeit-assets.csv --status-map 'Broken=REPAIR' --commit",
    )
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--commit", action="store_true", help="import (default: only show what would)")
    p.add_argument(
        "--status-map",
        action="append",
        default=[],
        metavar="LABEL=STATUS",
        help="map a Snipe-IT status label to IN_STOCK, REPAIR, RETIRED or LOST (repeatable); "
        "defaults: Ready to Deploy=IN_STOCK, Pending/Undeployable=REPAIR, "
        "Archived=RETIRED, Lost/Stolen=LOST",
    )
    p.description += (
        "\n\nColumns (any case): Asset Tag (required), Item Name, Model Name, Serial Number,"
        "\nStatus, Location, Notes; Username, Email, Full Name or Name: checked out to"
        "\nthat person (created if new). Other columns are reported and ignored."
        "\nLocation CASE:POS or 'CASE slot POS' puts a new in-stock asset into that slot"
        "\nif it is empty (a checked-out one gets it as home); anything else is ignored."
        "\nKnown assets: non-empty cells that differ update name, model, serial, notes;"
        "\nstatus, slot and custodian stay as they are and differences are reported."
    )
    p.set_defaults(func=asset_import)
    p = sub.add(
        "export",
        "Write every asset as a Snipe-IT asset CSV (stdout without FILE).",
        "assettrack asset export assets.csv",
    )
    p.add_argument("file", metavar="FILE.csv", nargs="?")
    p.set_defaults(func=asset_export)


def asset_import(ctx: Context, args: argparse.Namespace) -> Result:
    sheet = snipeit.read(args.file, snipeit.parse_status_map(args.status_map))
    report = importer.run(ctx.db, sheet, actor=ctx.actor, commit=args.commit)
    counts = {k: report.count(k) for k in ("add", "change", "unchanged", "skip")}
    data = {
        "file": str(args.file),
        "committed": report.committed,
        "rows": len(sheet.records),
        "added": counts["add"],
        "changed": counts["change"],
        "unchanged": counts["unchanged"],
        "skipped": counts["skip"],
        "empty_rows": sheet.empty_rows,
        "people_added": report.people_added,
        "ignored_columns": sheet.ignored_columns,
        "actions": [a.as_dict() for a in report.actions],
    }
    lines = []
    if sheet.ignored_columns:
        lines.append("ignored columns: " + ", ".join(clean(c) for c in sheet.ignored_columns))
    shown = [a for a in report.actions if a.action != "unchanged"]
    if shown:
        rows = [(a.row, a.tag, a.action, a.detail) for a in shown]
        lines.append(table(("ROW", "TAG", "ACTION", "DETAIL"), rows))
    rest = f"{counts['unchanged']} unchanged, {counts['skip']} skipped" + (
        f", {sheet.empty_rows} empty rows" if sheet.empty_rows else ""
    )
    if report.committed:
        lines.append(f"imported: {counts['add']} added, {counts['change']} changed, {rest}")
    else:
        lines.append(
            f"dry run, nothing written: {counts['add']} to add, "
            f"{counts['change']} to change, {rest}\nrun again with --commit to import"
        )
    return Result(data, "\n".join(lines))


def asset_export(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        items = assets.listing(conn)
    if args.file is None:
        if ctx.json:
            raise InvalidInput("--json needs FILE (without it the CSV goes to stdout)")
        out = io.StringIO()
        snipeit.write(items, out)
        text = out.getvalue()
        # Raw data for a pipe; escaped for a person's terminal.
        if sys.stdout.isatty():
            text = terminal_safe(text.replace("\r\n", "\n"))
        sys.stdout.write(text)
        return Result()
    path = Path(args.file)
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temp, "w", encoding="utf-8", newline="") as out:
            count = snipeit.write(items, out)
        os.replace(temp, path)
    except OSError as err:
        raise KioskError(f"cannot write {clean(path)}: {err.strerror}", code="io_error") from None
    finally:
        temp.unlink(missing_ok=True)
    return Result({"file": str(path), "assets": count}, f"exported {count} assets to {clean(path)}")
