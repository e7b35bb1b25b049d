"""Keeping the data safe: ``backup``, ``restore``, ``doctor``.

The work lives in :mod:`kiosk.store.backup` and :mod:`kiosk.ops.doctor`.
"""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Parser
from kiosk.config.settings import Config, load_config
from kiosk.daemon import control
from kiosk.errors import HardStop, KioskError
from kiosk.ops import doctor as checks
from kiosk.ops.doctor import Check, daemon_state
from kiosk.sanitize import clean
from kiosk.store import backup as backups
from kiosk.store import migrations
from kiosk.store.db import resolve_path


def _backup(parser: Parser) -> None:
    parser.add_argument("dest", metavar="DEST")
    parser.add_argument("--force", action="store_true", help="replace DEST if it exists")
    parser.set_defaults(func=backup)


def _restore(parser: Parser) -> None:
    parser.add_argument("source", metavar="SRC")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=restore)


def _doctor(parser: Parser) -> None:
    parser.set_defaults(func=doctor)


def _init(parser: Parser) -> None:
    parser.set_defaults(func=init)


BUILDERS = {"backup": _backup, "restore": _restore, "doctor": _doctor, "init": _init}


# -- init ------------------------------------------------------------------------------


def init(ctx: Context, args: argparse.Namespace) -> Result:
    """Create the database, empty, at the current schema; an existing one is only upgraded.

    The daemon never creates a database (a missing file means the wrong path
    or a lost disk, not a new room), so a new room starts here.
    """
    path = ctx.db_path()
    existed = path.exists()
    db = ctx.open_db(create=True)
    version = migrations.version(db.conn)
    data = {"database": str(path), "created": not existed, "schema_version": version}
    if existed:
        return Result(data, f"{clean(path)}: already a database (schema {version}), left as is")
    return Result(data, f"created {clean(path)} (schema {version}); next: assettrack case init")


# -- backup / restore ------------------------------------------------------------------


def backup(ctx: Context, args: argparse.Namespace) -> Result:
    dest, found = backups.backup(ctx.db_path(), Path(args.dest), overwrite=args.force)
    size = dest.stat().st_size
    data = {"file": str(dest), "bytes": size, **found.as_dict()}
    text = (
        f"backed up to {clean(dest)}: {found.assets} assets, {found.events} events, "
        f"{size // 1024} KiB, verified\nhead {found.head} (record it off this machine: "
        "`log verify --head` checks it later)"
    )
    return Result(data, text)


def _socket_path(config: Config | None) -> Path:
    """The control socket; a config that cannot be read names none."""
    return control.socket_path(None, None if config is None else config.control.socket)


def _config_or_error(ctx: Context) -> tuple[Config | None, KioskError | None]:
    try:
        return load_config(ctx.args.config), None
    except KioskError as err:
        return None, err


def restore(ctx: Context, args: argparse.Namespace) -> Result:
    source, target = Path(args.source), ctx.db_path()
    state, detail = daemon_state(_socket_path(_config_or_error(ctx)[0]))
    if state == "running":
        raise HardStop(
            f"the kiosk daemon is running ({detail}); stop it first (systemctl stop assettrack)",
            code="daemon_running",
        )
    if state != "stopped":
        raise HardStop(
            f"cannot tell whether the kiosk daemon runs: {detail}", code="daemon_unknown"
        )
    found = backups.verify(source, with_replay=True)
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


def doctor(ctx: Context, args: argparse.Namespace) -> Result:
    config, error = _config_or_error(ctx)
    if error is not None or args.db or os.environ.get("ASSETTRACK_DB"):
        db_path = resolve_path(args.db, None)
    else:
        db_path = ctx.db_path()
    found = checks.run(db_path, config=config, config_error=error, sock_path=_socket_path(config))
    failed = [c for c in found if c.status == checks.FAIL]
    todo = [c for c in found if c.status == checks.TODO]
    summary = f"{len(failed)} of {len(found)} checks failed" if failed else "all checks passed"
    if todo:
        summary += f"; {len(todo)} to do"
    lines = [_check_line(c) for c in found]
    return Result([c.as_dict() for c in found], "\n".join([*lines, summary]), 1 if failed else 0)


def _check_line(check: Check) -> str:
    """``STATUS  check: detail`` in 80 columns; a long detail wraps, indented."""
    head = f"{check.status:<8}{clean(check.check)}"
    if not check.detail:
        return head
    detail = clean(check.detail)
    if len(head) + 2 + len(detail) <= 80:
        return f"{head}: {detail}"
    return (
        head + "\n" + textwrap.fill(detail, 80, initial_indent=" " * 10, subsequent_indent=" " * 10)
    )
