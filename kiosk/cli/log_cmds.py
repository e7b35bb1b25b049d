"""The event log: ``log [--asset TAG] [--limit N]`` and ``log verify``."""

from __future__ import annotations

import argparse
import datetime as _dt

from kiosk.cli.context import Context
from kiosk.cli.output import Result, table
from kiosk.cli.parsing import Parser
from kiosk.domain import assets, validate
from kiosk.errors import InvalidInput, KioskError
from kiosk.store import events


def _log(p: Parser) -> None:
    p.add_argument("action", nargs="?", choices=["verify"])
    p.add_argument("--asset", metavar="TAG")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.set_defaults(func=log_cmd)


BUILDERS = {"log": _log}


def local_time(utc: str) -> str:
    """Stored UTC -> the machine's local time, to the minute."""
    try:
        moment = _dt.datetime.fromisoformat(utc.replace("Z", "+00:00"))
    except ValueError:
        return utc
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def log_cmd(ctx: Context, args: argparse.Namespace) -> Result:
    if args.action == "verify":
        return verify(ctx)
    if args.limit < 1:
        raise InvalidInput("--limit must be 1 or more")
    tag = None if args.asset is None else validate.tag(args.asset)
    with ctx.db.read() as conn:
        if tag is not None:
            assets.get(conn, tag)  # an unknown asset is not found (exit 4), as everywhere
        found = events.recent(conn, asset=tag, limit=args.limit)
    headers = ("ID", "TIME", "ACTOR", "OP", "SUBJECT", "FROM", "TO", "PERSON")

    def text() -> str:
        rows = [
            (
                e.id,
                local_time(e.time),
                e.actor,
                e.op,
                subject(e),
                e.from_slot or "-",
                e.to_slot or "-",
                e.person or "-",
            )
            for e in found
        ]
        # TIME is never cut: one long tag gives way in its own column only.
        return table(headers, rows, fixed=(1,)) if rows else "no events"

    return Result(lambda: [e.as_dict() for e in found], text)


def subject(event: events.LoggedEvent) -> str:
    """What an event is about: its asset, else the case it resized or the file it restored."""
    if event.asset:
        return str(event.asset)
    details = event.as_dict().get("details") or {}
    if not isinstance(details, dict):
        return "-"
    for key, shown in (("case", "case {}"), ("source", "from {}")):
        if details.get(key):
            return shown.format(details[key])
    return "-"


def verify(ctx: Context) -> Result:
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
