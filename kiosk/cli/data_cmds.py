"""Data in and out: ``asset import|export``, ``backup``, ``restore``, ``doctor``.

The work lives in :mod:`kiosk.snipeit`, :mod:`kiosk.importer`,
:mod:`kiosk.backup` and :mod:`kiosk.doctor`, imported only when one of
these commands runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.cli.main import actions_of, command
from kiosk.cli.output import Result, table, terminal_safe
from kiosk.errors import HardStop, InvalidInput, KioskError
from kiosk.sanitize import clean

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any

# Listed in `assettrack --help` with this group's own commands.
HELP_NAMES = ("asset import", "asset export")


def register(commands: Any) -> None:
    if "asset" in commands.choices:
        _register_asset(actions_of(commands, "asset"))
    p = command(
        commands,
        "backup",
        "Copy the database safely while the kiosk runs (to a file or a directory).",
        "assettrack backup /var/backups/assettrack/",
    )
    p.add_argument("dest", metavar="DEST")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p.set_defaults(func=backup)

    p = command(
        commands,
        "restore",
        "Replace the database by a verified backup (kiosk daemon stopped).",
        "systemctl stop assettrack && assettrack restore /var/backups/assettrack/x.db --yes",
    )
    p.add_argument("source", metavar="SRC")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=restore)

    p = command(
        commands,
        "doctor",
        "Check the database, config, hardware and daemon; change nothing.",
        "assettrack doctor --json",
    )
    p.set_defaults(func=doctor)


def _register_asset(sub: Any) -> None:
    p = command(
        sub,
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
    p = command(
        sub,
        "export",
        "Write every asset as a Snipe-IT asset CSV (stdout without FILE).",
        "assettrack asset export assets.csv",
    )
    p.add_argument("file", metavar="FILE.csv", nargs="?")
    p.set_defaults(func=asset_export)


# -- import / export ------------------------------------------------------------------


def asset_import(ctx, args) -> Result:
    from kiosk import importer, snipeit

    sheet = snipeit.read(args.file, snipeit.parse_status_map(args.status_map))
    report = importer.run(ctx.db, sheet, ctx.actor, commit=args.commit)
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


def asset_export(ctx, args) -> Result:
    import io

    from kiosk import assets, snipeit

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


# -- backup / restore ------------------------------------------------------------------


def backup(ctx, args) -> Result:
    from kiosk import backup as backups

    dest, found = backups.backup(ctx.db_path(), Path(args.dest), overwrite=args.force)
    size = dest.stat().st_size
    data = {"file": str(dest), "bytes": size, **found.as_dict()}
    text = (
        f"backed up to {clean(dest)}: {found.assets} assets, {found.events} events, "
        f"{size // 1024} KiB, verified"
    )
    return Result(data, text)


def _socket_path(ctx) -> Path:
    from kiosk import control

    try:
        configured = ctx.config.control.socket
    except (KioskError, AttributeError):
        configured = None
    return control.socket_path(getattr(ctx.args, "socket", None), configured)


def restore(ctx, args) -> Result:
    from kiosk import backup as backups
    from kiosk.doctor import daemon_state

    source, target = Path(args.source), ctx.db_path()
    state, detail = daemon_state(_socket_path(ctx))
    if state == "running":
        raise HardStop(
            f"the kiosk daemon is running ({detail}); stop it first (systemctl stop assettrack)",
            code="daemon_running",
        )
    if state != "stopped":
        raise HardStop(
            f"cannot tell whether the kiosk daemon runs: {detail}", code="daemon_unknown"
        )
    found = backups.verify(source)
    ctx.confirm(
        f"Replace {clean(target)} by {clean(source)} ({found.assets} assets, "
        f"{found.events} events)?"
    )
    kept, found = backups.restore(source, target, ctx.actor)
    data = {
        "restored": str(target),
        "source": str(source),
        "previous": None if kept is None else str(kept),
        **found.as_dict(),
    }
    text = (
        f"restored {clean(target)} from {clean(source)}: "
        f"{found.assets} assets, {found.events} events"
    )
    if kept is not None:
        text += f"\nthe previous database is kept as {clean(kept)}"
    return Result(data, text)


# -- doctor -------------------------------------------------------------------------------


def doctor(ctx, args) -> Result:
    from kiosk import doctor as checks

    config, error = None, None
    try:
        config = ctx.config
    except KioskError as err:
        error = err
    if error is not None or args.db or os.environ.get("ASSETTRACK_DB"):
        from kiosk.db import resolve_path

        db_path = resolve_path(args.db, None)
    else:
        db_path = ctx.db_path()
    found = checks.run(db_path, config, error, _socket_path(ctx))
    failed = [c for c in found if c.status == checks.FAIL]
    summary = f"{len(failed)} of {len(found)} checks failed" if failed else "all checks passed"
    lines = [_check_line(c) for c in found]
    return Result([c.as_dict() for c in found], "\n".join([*lines, summary]), 1 if failed else 0)


def _check_line(check) -> str:
    """``STATUS  check: detail`` in 80 columns; a long detail wraps, indented."""
    import textwrap

    head = f"{check.status:<8}{clean(check.check)}"
    if not check.detail:
        return head
    detail = clean(check.detail)
    if len(head) + 2 + len(detail) <= 80:
        return f"{head}: {detail}"
    return (
        head + "\n" + textwrap.fill(detail, 80, initial_indent=" " * 10, subsequent_indent=" " * 10)
    )
