"""The event log: ``log [--asset TAG] [--limit N]`` and ``log verify``."""

from __future__ import annotations

import datetime as _dt

from kiosk import events, validate
from kiosk.cli.main import command
from kiosk.cli.output import Result, table
from kiosk.errors import InvalidInput, KioskError

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = command(
        commands,
        "log",
        "Show recent events, or verify the hash chain.",
        "assettrack log --asset LT-0193 --limit 20   |   assettrack log verify",
    )
    p.add_argument("action", nargs="?", choices=["verify"])
    p.add_argument("--asset", metavar="TAG")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.set_defaults(func=log_cmd)


def local_time(utc: str) -> str:
    """Stored UTC -> the machine's local time, to the minute."""
    try:
        moment = _dt.datetime.fromisoformat(utc.replace("Z", "+00:00"))
    except ValueError:
        return utc
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def log_cmd(ctx, args) -> Result:
    if args.action == "verify":
        return verify(ctx)
    if args.limit < 1:
        raise InvalidInput("--limit must be 1 or more")
    tag = None if args.asset is None else validate.tag(args.asset)
    with ctx.db.read() as conn:
        found = events.recent(conn, asset=tag, limit=args.limit)
    headers = ("ID", "TIME", "ACTOR", "OP", "ASSET", "FROM", "TO", "PERSON")

    def text() -> str:
        rows = [
            (
                e.id,
                local_time(e.time),
                e.actor,
                e.op,
                e.asset or "-",
                e.from_slot or "-",
                e.to_slot or "-",
                e.person or "-",
            )
            for e in found
        ]
        return table(headers, rows) if rows else "no events"

    return Result(lambda: [e.as_dict() for e in found], text)


def verify(ctx) -> Result:
    with ctx.db.read() as conn:
        verdict = events.verify(conn)
    if not verdict.ok:
        raise KioskError(
            f"event log broken at event {verdict.bad_id}: {verdict.reason} "
            f"({verdict.count} events before it are intact)",
            code="log_broken",
        )
    return Result(
        {"ok": True, "events": verdict.count, "head": verdict.head},
        f"event log ok: {verdict.count} events, chain intact, head {verdict.head[:16]}",
    )
