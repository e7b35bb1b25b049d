"""Custody: ``stock-out``, ``stock-in``, ``custody list``."""

from __future__ import annotations

import datetime as _dt

from kiosk import assets, custody, validate
from kiosk.cli.asset_cmds import assets_result
from kiosk.cli.main import command, group
from kiosk.cli.output import Result
from kiosk.errors import InvalidInput
from kiosk.validate import SlotRef

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = command(
        commands,
        "stock-out",
        "Hand an in-stock asset to a person.",
        "assettrack stock-out LT-0193 --to 0042 --days 7",
    )
    p.add_argument("tag")
    p.add_argument("--to", required=True, metavar="BADGE")
    due = p.add_mutually_exclusive_group()
    due.add_argument("--due", metavar="YYYY-MM-DD")
    due.add_argument("--days", type=int, metavar="N")
    p.set_defaults(func=stock_out)

    p = command(
        commands,
        "stock-in",
        "Take an asset back into its home slot (or the one named).",
        "assettrack stock-in LT-0193   |   assettrack stock-in LT-0193 CART-B 2",
    )
    p.add_argument("tag")
    p.add_argument("case", nargs="?")
    p.add_argument("pos", nargs="?")
    p.set_defaults(func=stock_in)

    sub = group(commands, "custody", "Who holds what.", "assettrack custody list --overdue")
    p = command(
        sub,
        "list",
        "List assets out with people (or only the overdue ones).",
        "assettrack custody list --overdue",
    )
    p.add_argument("--overdue", action="store_true", help="only those past their due date")
    p.set_defaults(func=custody_list)


def _shown(ctx, tag: str) -> dict[str, Any]:
    with ctx.db.read() as conn:
        return assets.get(conn, tag).as_dict()


def stock_out(ctx, args) -> Result:
    due = args.due if args.days is None else custody.due_in(args.days)
    plan = custody.stock_out(ctx.db, args.tag, args.to, ctx.actor, due=due)
    until = f" until {plan.details()['due']}" if plan.details().get("due") else ""
    left = f" (from {plan.from_slot})" if plan.from_slot else ""
    return Result(
        _shown(ctx, plan.tag), f"{plan.tag} -> {plan.person_name} ({plan.person}){until}{left}"
    )


def stock_in(ctx, args) -> Result:
    if (args.case is None) != (args.pos is None):
        raise InvalidInput("stock-in takes TAG, or TAG CASE POS", code="usage")
    slot = None if args.case is None else SlotRef.of(args.case, args.pos)
    plan = custody.stock_in(ctx.db, validate.tag(args.tag), ctx.actor, slot=slot)
    return Result(_shown(ctx, plan.tag), f"{plan.tag} -> {plan.to_slot}")


def custody_list(ctx, args) -> Result:
    with ctx.db.read() as conn:
        if args.overdue:
            items = assets.listing(conn, overdue_on=_dt.date.today().isoformat())
        else:
            items = assets.listing(conn, status="IN_CUSTODY")
    return assets_result(items, "nothing overdue" if args.overdue else "nothing in custody")
