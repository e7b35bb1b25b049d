"""Custody: ``stock-out``, ``stock-in``, ``custody list``."""

from __future__ import annotations

import argparse
import datetime as _dt

from kiosk.cli.asset_cmds import assets_result
from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Parser, actions
from kiosk.domain import assets, validate
from kiosk.domain.custody import StockIn, StockOut, due_in
from kiosk.domain.operations import execute
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput
from kiosk.sanitize import clean


def _stock_out(p: Parser) -> None:
    p.add_argument("tag")
    p.add_argument("--to", required=True, metavar="BADGE")
    due = p.add_mutually_exclusive_group()
    due.add_argument("--due", metavar="YYYY-MM-DD")
    due.add_argument("--days", type=int, metavar="N")
    p.set_defaults(func=stock_out)


def _stock_in(p: Parser) -> None:
    p.add_argument("tag")
    p.add_argument("case", nargs="?")
    p.add_argument("pos", nargs="?")
    p.set_defaults(func=stock_in)


def _custody(parser: Parser) -> None:
    sub = actions(parser, "custody")
    p = sub.add(
        "list",
        "List assets out with people (or only the overdue ones).",
        "assettrack custody list --overdue",
    )
    p.add_argument("--overdue", action="store_true", help="only those past their due date")
    p.set_defaults(func=custody_list)


BUILDERS = {"stock-out": _stock_out, "stock-in": _stock_in, "custody": _custody}


def _shown(ctx: Context, tag: str) -> dict[str, object]:
    with ctx.db.read() as conn:
        return assets.get(conn, tag).as_dict()


def stock_out(ctx: Context, args: argparse.Namespace) -> Result:
    due = args.due if args.days is None else due_in(args.days)
    plan = execute(
        ctx.db, StockOut(validate.tag(args.tag), ctx.badge(args.to), due), actor=ctx.actor
    )
    until = f" until {plan.details()['due']}" if plan.details().get("due") else ""
    left = f" (from {plan.from_slot})" if plan.from_slot else ""
    return Result(
        _shown(ctx, plan.subject),
        f"{clean(plan.tag)} -> {clean(plan.person_name)} ({clean(plan.person)}){until}{left}",
    )


def stock_in(ctx: Context, args: argparse.Namespace) -> Result:
    if (args.case is None) != (args.pos is None):
        raise InvalidInput("stock-in takes TAG, or TAG CASE POS", code="usage")
    slot = None if args.case is None else SlotRef.of(args.case, args.pos)
    plan = execute(ctx.db, StockIn(validate.tag(args.tag), slot), actor=ctx.actor)
    return Result(_shown(ctx, plan.subject), f"{plan.tag} -> {plan.to_slot}")


def custody_list(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        if args.overdue:
            items = assets.listing(conn, overdue_on=_dt.date.today().isoformat())
        else:
            items = assets.listing(conn, status="IN_CUSTODY")
    return assets_result(items, "nothing overdue" if args.overdue else "nothing in custody")
