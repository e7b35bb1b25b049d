"""Snipe-IT files in and out: ``asset import`` and ``asset export``.

The work lives in :mod:`kiosk.interop.snipeit` and :mod:`kiosk.interop.importer`.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path
from typing import Any

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
        "Archived=RETIRED, Lost/Stolen=LOST; other labels by their words, else IN_STOCK",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse the file for an unmapped label, or a checked-out row whose label "
        "means repair, retired or lost",
    )
    p.add_argument(
        "--badge-column",
        metavar="COLUMN",
        help="take the borrower's badge from this column (default: Username, Email, Name)",
    )
    p.description += (
        "\n\nColumns (any case): Asset Tag (required), Item Name, Model Name, Serial Number,"
        "\nStatus, Location, Notes, ID (Snipe-IT's asset id, for its QR labels);"
        "\nUsername, Email, Full Name or Name, First/Last Name: checked out to that"
        "\nperson whatever the status label says, as Snipe-IT does (person created if"
        "\nnew; the label is kept in the import event). Other columns: reported, ignored."
        "\nLabels: --status-map, then the defaults, then their words (pending, repair,"
        "\ndiagnostics, broken: REPAIR; lost, stolen: LOST; archived, retired: RETIRED;"
        "\nready, deployable, deployed: IN_STOCK), else IN_STOCK and listed in the report."
        "\nLocation CASE:POS or 'CASE slot POS' puts a new in-stock asset into that slot"
        "\nif it is empty (a checked-out one gets it as home); anything else is ignored."
        "\nKnown assets: non-empty cells that differ update name, model, serial, notes, ID;"
        "\nstatus, slot and custodian stay as they are and differences are reported."
        "\nA dry run works on a copy: it never holds the kiosk off. --commit holds the"
        "\ndatabase for the whole import and says first how long if over a second."
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
    rules = snipeit.Rules(
        status_map=snipeit.parse_status_map(args.status_map),
        strict=args.strict,
        badge_column=args.badge_column,
    )
    sheet = snipeit.read(args.file, rules)
    report = importer.run(ctx.db, sheet, actor=ctx.actor, commit=args.commit, notice=_say_now)
    labels = importer.labels(sheet)
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
        **labels,
        "seconds": round(report.seconds, 3),
        "actions": [a.as_dict() for a in report.actions],
    }
    lines = []
    if sheet.ignored_columns:
        lines.append("ignored columns: " + ", ".join(clean(c) for c in sheet.ignored_columns))
    lines.extend(_label_lines(labels))
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


def _say_now(message: str) -> None:
    """Tell the person before a long wait starts (the result prints only at the end)."""
    sys.stderr.write(terminal_safe(message) + "\n")
    sys.stderr.flush()


def _label_lines(labels: dict[str, Any]) -> list[str]:
    def counted(items: dict[str, int]) -> str:
        return ", ".join(f"{clean(k) if k else '(none)'} {n}" for k, n in items.items())

    lines = []
    out = labels["checked_out"]
    if out["rows"]:
        lines.append(
            f"checked out to a person: {out['rows']} rows, whatever their status label"
            f" (kept in the import event): {counted(out['labels'])}"
        )
    for g in labels["guessed"]:
        lines.append(f'status "{clean(g["label"])}" read as {g["status"]}: {g["rows"]} rows')
    if labels["unknown"]:
        unknown = {u["label"]: u["rows"] for u in labels["unknown"]}
        lines.append(
            f"unknown status labels, imported as IN_STOCK (--status-map to say otherwise):"
            f" {counted(unknown)}"
        )
    return lines


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
