"""Cases and slots: ``case init|list``, ``slot list|assign|vacate|move``."""

from __future__ import annotations

import argparse

from kiosk.cli.context import Context
from kiosk.cli.output import Result, table
from kiosk.cli.parsing import Parser, actions
from kiosk.domain import slots, validate
from kiosk.domain.operations import Plan, execute
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput


def _case(parser: Parser) -> None:
    sub = actions(parser, "case")
    p = sub.add(
        "init",
        "Give a case slots 1..N (grow, or shrink if empty).",
        "assettrack case init CART-A --slots 12",
    )
    p.add_argument("case")
    p.add_argument("--slots", required=True, metavar="N")
    p.add_argument("--yes", action="store_true", help="do not ask before shrinking")
    p.set_defaults(func=case_init)
    p = sub.add("list", "List cases with their occupancy.", "assettrack case list")
    p.set_defaults(func=case_list)


def _slot(parser: Parser) -> None:
    sub = actions(parser, "slot")
    p = sub.add("list", "List slots and what they hold.", "assettrack slot list CART-A")
    p.add_argument("case", nargs="?")
    p.set_defaults(func=slot_list)
    p = sub.add(
        "assign",
        "Put an in-stock asset into an empty slot.",
        "assettrack slot assign LT-0193 CART-A 4",
    )
    _tag_case_pos(p)
    p.set_defaults(func=slot_assign)
    p = sub.add(
        "vacate",
        "Empty a slot (by position, or by the asset in it).",
        "assettrack slot vacate CART-A 4   |   assettrack slot vacate --asset LT-0193",
    )
    p.add_argument("case", nargs="?")
    p.add_argument("pos", nargs="?")
    p.add_argument("--asset", metavar="TAG")
    p.add_argument(
        "--yes", action="store_true", help="accepted, as by every command that changes data"
    )
    p.set_defaults(func=slot_vacate)
    p = sub.add(
        "move",
        "Move a slotted asset to an empty slot, atomically.",
        "assettrack slot move LT-0193 CART-B 1",
    )
    _tag_case_pos(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="move into the home of a laptop out on loan (recorded in the event)",
    )
    p.set_defaults(func=slot_move)


BUILDERS = {"case": _case, "slot": _slot}


def _tag_case_pos(p: Parser) -> None:
    p.add_argument("tag")
    p.add_argument("case")
    p.add_argument("pos")


def case_init(ctx: Context, args: argparse.Namespace) -> Result:
    count = validate.slot_count(args.slots)
    # Creating the first case of a new room is one of the deliberate ways to create a database.
    with ctx.open_db(create=True).read() as conn:
        have = slots.case_size(conn, validate.case_name(args.case))
    if count < have:
        ctx.confirm(f"Shrink {args.case} from {have} to {count} slots?")
    info = slots.init_case(ctx.db, args.case, count, actor=ctx.actor)
    verb = "unchanged" if count == have else ("created" if have == 0 else "resized")
    return Result(
        info.as_dict(), f"{info.case}: {info.slots} slots ({verb}), {info.occupied} occupied"
    )


def case_list(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        cases = slots.list_cases(conn)
    rows = [(c.case, c.slots, c.occupied, c.slots - c.occupied) for c in cases]
    text = table(("CASE", "SLOTS", "OCCUPIED", "FREE"), rows) if rows else "no cases"
    return Result([c.as_dict() for c in cases], text)


def slot_list(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        listing = slots.list_slots(conn, args.case)
    data = [{"case": r.case, "position": r.pos, "asset": t} for r, t in listing]
    rows = [(str(r), t or "-") for r, t in listing]
    return Result(data, table(("SLOT", "ASSET"), rows) if rows else "no slots")


def _done(plan: Plan, text: str) -> Result:
    data = {
        "op": plan.op,
        "asset": plan.tag,
        "from": None if plan.from_slot is None else str(plan.from_slot),
        "to": None if plan.to_slot is None else str(plan.to_slot),
    }
    return Result(data, text)


def slot_assign(ctx: Context, args: argparse.Namespace) -> Result:
    request = Assign(validate.tag(args.tag), SlotRef.of(args.case, args.pos))
    plan = execute(ctx.db, request, actor=ctx.actor)
    return _done(plan, f"{plan.tag} -> {plan.to_slot}")


def slot_vacate(ctx: Context, args: argparse.Namespace) -> Result:
    if args.asset and (args.case or args.pos):
        raise InvalidInput("give CASE POS or --asset TAG, not both", code="usage")
    if args.asset:
        request = Vacate(tag=validate.tag(args.asset))
    elif args.case and args.pos:
        request = Vacate(slot=SlotRef.of(args.case, args.pos))
    else:
        raise InvalidInput("slot vacate needs CASE POS or --asset TAG", code="usage")
    plan = execute(ctx.db, request, actor=ctx.actor)
    return _done(plan, f"{plan.from_slot} vacated ({plan.tag} is now unslotted)")


def slot_move(ctx: Context, args: argparse.Namespace) -> Result:
    request = Move(validate.tag(args.tag), SlotRef.of(args.case, args.pos), force=args.force)
    plan = execute(ctx.db, request, actor=ctx.actor)
    return _done(plan, f"{plan.tag}: {plan.from_slot} -> {plan.to_slot}")
