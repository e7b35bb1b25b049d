"""Cases and slots: ``case init|list``, ``slot list|assign|vacate|move``, ``where``.

Handlers import :mod:`kiosk.slots` themselves: ``where`` runs without it.
"""

from __future__ import annotations

from kiosk.cli.main import command, group
from kiosk.cli.output import Result, table
from kiosk.errors import InvalidInput
from kiosk.validate import SlotRef

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    case_sub = group(commands, "case", "Create and list storage cases.", "assettrack case list")
    p = command(
        case_sub,
        "init",
        "Give a case slots 1..N (grow, or shrink if empty).",
        "assettrack case init CART-A --slots 12",
    )
    p.add_argument("case")
    p.add_argument("--slots", required=True, metavar="N")
    p.add_argument("--yes", action="store_true", help="do not ask before shrinking")
    p.set_defaults(func=case_init)
    p = command(case_sub, "list", "List cases with their occupancy.", "assettrack case list")
    p.set_defaults(func=case_list)

    slot_sub = group(
        commands,
        "slot",
        "Assign, vacate and move assets between slots.",
        "assettrack slot assign LT-0193 CART-A 4",
    )
    p = command(slot_sub, "list", "List slots and what they hold.", "assettrack slot list CART-A")
    p.add_argument("case", nargs="?")
    p.set_defaults(func=slot_list)
    p = command(
        slot_sub,
        "assign",
        "Put an in-stock asset into an empty slot.",
        "assettrack slot assign LT-0193 CART-A 4",
    )
    _tag_case_pos(p)
    p.set_defaults(func=slot_assign)
    p = command(
        slot_sub,
        "vacate",
        "Empty a slot (by position, or by the asset in it).",
        "assettrack slot vacate CART-A 4   |   assettrack slot vacate --asset LT-0193",
    )
    p.add_argument("case", nargs="?")
    p.add_argument("pos", nargs="?")
    p.add_argument("--asset", metavar="TAG")
    p.set_defaults(func=slot_vacate)
    p = command(
        slot_sub,
        "move",
        "Move a slotted asset to an empty slot, atomically.",
        "assettrack slot move LT-0193 CART-B 1",
    )
    _tag_case_pos(p)
    p.set_defaults(func=slot_move)

    p = command(commands, "where", "Show which slot holds an asset.", "assettrack where LT-0193")
    p.add_argument("tag")
    p.set_defaults(func=where)


def _tag_case_pos(p: Any) -> None:
    p.add_argument("tag")
    p.add_argument("case")
    p.add_argument("pos")


def case_init(ctx, args) -> Result:
    from kiosk import slots, validate

    count = validate.slot_count(args.slots)
    with ctx.db.read() as conn:
        have = slots.case_size(conn, validate.case_name(args.case))
    if count < have:
        ctx.confirm(f"Shrink {args.case} from {have} to {count} slots?")
    info = slots.init_case(ctx.db, args.case, count, ctx.actor)
    verb = "unchanged" if count == have else ("created" if have == 0 else "resized")
    return Result(
        info.as_dict(), f"{info.case}: {info.slots} slots ({verb}), {info.occupied} occupied"
    )


def case_list(ctx, args) -> Result:
    from kiosk import slots

    with ctx.db.read() as conn:
        cases = slots.list_cases(conn)
    rows = [(c.case, c.slots, c.occupied, c.slots - c.occupied) for c in cases]
    text = table(("CASE", "SLOTS", "OCCUPIED", "FREE"), rows) if rows else "no cases"
    return Result([c.as_dict() for c in cases], text)


def slot_list(ctx, args) -> Result:
    from kiosk import slots

    with ctx.db.read() as conn:
        listing = slots.list_slots(conn, args.case)
    data = [{"case": r.case, "position": r.pos, "asset": t} for r, t in listing]
    rows = [(str(r), t or "-") for r, t in listing]
    return Result(data, table(("SLOT", "ASSET"), rows) if rows else "no slots")


def _done(plan, text: str) -> Result:
    data = {
        "op": plan.op,
        "asset": plan.tag,
        "from": None if plan.from_slot is None else str(plan.from_slot),
        "to": None if plan.to_slot is None else str(plan.to_slot),
    }
    return Result(data, text)


def slot_assign(ctx, args) -> Result:
    from kiosk import slots

    plan = slots.assign(ctx.db, args.tag, args.case, args.pos, ctx.actor)
    return _done(plan, f"{plan.tag} -> {plan.to_slot}")


def slot_vacate(ctx, args) -> Result:
    from kiosk import slots

    if args.asset and (args.case or args.pos):
        raise InvalidInput("give CASE POS or --asset TAG, not both", code="usage")
    if args.asset:
        plan = slots.vacate_asset(ctx.db, args.asset, ctx.actor)
    elif args.case and args.pos:
        plan = slots.vacate(ctx.db, args.case, args.pos, ctx.actor)
    else:
        raise InvalidInput("slot vacate needs CASE POS or --asset TAG", code="usage")
    return _done(plan, f"{plan.from_slot} vacated ({plan.tag} is now unslotted)")


def slot_move(ctx, args) -> Result:
    from kiosk import slots

    plan = slots.move(ctx.db, args.tag, args.case, args.pos, ctx.actor)
    return _done(plan, f"{plan.tag}: {plan.from_slot} -> {plan.to_slot}")


def where(ctx, args) -> Result:
    from kiosk import assets, validate

    tag = validate.tag(args.tag)
    with ctx.db.read() as conn:
        asset = assets.get(conn, tag)
    slot = None if asset.slot is None else str(asset.slot)
    if slot:
        text = f"{asset.tag}: {slot}"
    elif asset.status == "IN_CUSTODY":
        text = f"{asset.tag}: not in a slot (out with {asset.custodian_name}, {asset.custodian})"
    else:
        text = f"{asset.tag}: not in a slot ({asset.status})"
    return Result({"tag": asset.tag, "slot": slot, "status": asset.status}, text)


__all__ = ["register", "SlotRef"]
