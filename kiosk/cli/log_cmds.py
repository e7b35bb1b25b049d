"""The event log: ``log [--asset TAG] [--limit N]`` and ``log verify``.

``log verify`` checks the chain, that the head recorded beside the database
(and one given as ``--head ID:HASH``, recorded elsewhere) is still in the
log, and with ``--replay`` that replaying the log gives exactly the tables.
"""

from __future__ import annotations

import argparse
import datetime as _dt

from kiosk.cli.context import Context
from kiosk.cli.output import Result, table
from kiosk.cli.parsing import Parser
from kiosk.domain import assets, validate
from kiosk.errors import InvalidInput, KioskError
from kiosk.ops import record
from kiosk.store import events, heads


def _log(p: Parser) -> None:
    p.add_argument("action", nargs="?", choices=["verify"])
    p.add_argument("--asset", metavar="TAG")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.add_argument(
        "--head",
        metavar="ID:HASH",
        help="verify: a head recorded elsewhere is still in the log",
    )
    p.add_argument(
        "--replay", action="store_true", help="verify: replay the log and compare with the tables"
    )
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
        return verify(ctx, args)
    if args.head is not None or args.replay:
        raise InvalidInput("--head and --replay go with `log verify`")
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


def verify(ctx: Context, args: argparse.Namespace) -> Result:
    given = None if args.head is None else heads.parse(args.head)
    with ctx.db.read() as conn:
        verdict, found = record.checks(conn, ctx.db_path(), head=given, with_replay=args.replay)
    failed = [c for c in found if c.status == record.FAIL]
    if failed:
        first = "; ".join(f"{c.check}: {c.detail}" for c in failed)
        raise KioskError(f"event log not verified: {first}", code="log_broken")
    head = f"{verdict.count}:{verdict.head}"
    lines = [f"event log ok: {verdict.count} events, chain intact, head {head}"]
    lines += [f"{c.status:<8}{c.check}: {c.detail}" for c in found[1:]]
    return Result(
        {
            "ok": True,
            "events": verdict.count,
            "head": verdict.head,
            "head_ref": head,
            "checks": [c.as_dict() for c in found],
        },
        "\n".join(lines),
    )
