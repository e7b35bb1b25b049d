"""Assets and people: ``asset add|show|list|retire|repair|lost|found``, ``person ...``."""

from __future__ import annotations

import argparse

from kiosk.cli import transfer_cmds
from kiosk.cli.context import Context
from kiosk.cli.output import Result, table
from kiosk.cli.parsing import Parser, actions
from kiosk.domain import assets, people, validate
from kiosk.domain.custody import STATUS_CHANGES
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.types import STATUSES, Asset, SlotRef
from kiosk.sanitize import clean

_STATUS_OPS = {
    "retire": ("Retire an asset for good (it leaves its slot).", True),
    "repair": ("Send an asset to repair (it leaves its slot and custody).", False),
    "lost": ("Mark an asset lost (it leaves its slot and custody).", False),
    "found": ("Mark a lost asset found (in stock, not yet slotted).", False),
}


def _asset(parser: Parser) -> None:
    sub = actions(parser, "asset")
    p = sub.add(
        "add",
        "Register a new asset, optionally straight into a slot.",
        "assettrack asset add LT-0193 --name 'ThinkPad T14' --into CART-A 4",
    )
    p.add_argument("tag")
    for opt in ("name", "model", "serial", "notes"):
        p.add_argument(f"--{opt}", default="")
    p.add_argument("--home", nargs=2, metavar=("CASE", "POS"))
    p.add_argument("--into", nargs=2, metavar=("CASE", "POS"))
    p.set_defaults(func=asset_add)
    p = sub.add("show", "Show one asset.", "assettrack asset show LT-0193")
    p.add_argument("tag")
    p.set_defaults(func=asset_show)
    p = sub.add(
        "list",
        "List assets, optionally of one status.",
        "assettrack asset list --status IN_CUSTODY",
    )
    p.add_argument("--status", choices=STATUSES, type=str.upper)
    p.set_defaults(func=asset_list)
    for op, (summary, destructive) in _STATUS_OPS.items():
        p = sub.add(op, summary, f"assettrack asset {op} LT-0193")
        p.add_argument("tag")
        if destructive:
            p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        p.set_defaults(func=asset_status, op=op)
    transfer_cmds.add_actions(sub)


def _person(parser: Parser) -> None:
    sub = actions(parser, "person")
    p = sub.add(
        "add",
        "Register a badge id (or its card's code, BADGE:0042) with a display name.",
        "assettrack person add 0042 'Alice Ng'",
    )
    p.add_argument("badge")
    p.add_argument("name")
    p.set_defaults(func=person_add)
    p = sub.add("list", "List people and how many assets each holds.", "assettrack person list")
    p.set_defaults(func=person_list)
    p = sub.add(
        "remove", "Remove a person who holds no assets.", "assettrack person remove 0042 --yes"
    )
    p.add_argument("badge")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=person_remove)


BUILDERS = {"asset": _asset, "person": _person}


def _slot_arg(value: list[str] | None) -> SlotRef | None:
    return None if value is None else SlotRef.of(*value)


def asset_add(ctx: Context, args: argparse.Namespace) -> Result:
    request = AddAsset(
        tag=validate.tag(args.tag),
        name=args.name,
        model=args.model,
        serial=args.serial,
        notes=args.notes,
        home=_slot_arg(args.home),
        into=_slot_arg(args.into),
    )
    plan = execute(ctx.db, request, actor=ctx.actor)
    with ctx.db.read() as conn:
        asset = assets.get(conn, plan.subject)
    where = f" into {plan.to_slot}" if plan.to_slot else ""
    return Result(asset.as_dict(), f"added {asset.tag}{where}")


def describe(asset: Asset) -> str:
    holder = f"{asset.custodian_name} ({asset.custodian})" if asset.custodian else "-"
    rows = [
        ("tag", asset.tag),
        ("name", asset.name),
        ("model", asset.model),
        ("serial", asset.serial),
        ("status", asset.status),
        ("slot", asset.slot or "-"),
        ("home", asset.home or "-"),
        ("custodian", holder),
        ("due", asset.due or "-"),
        ("notes", asset.notes),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {clean(v)}" for k, v in rows)


def asset_show(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        asset = assets.get(conn, validate.tag(args.tag))
    return Result(asset.as_dict(), describe(asset))


def asset_rows(items: list[Asset]) -> list[tuple[object, ...]]:
    return [
        (a.tag, a.status, a.slot or "-", a.custodian_name or "-", a.due or "-", a.name)
        for a in items
    ]


ASSET_HEADERS = ("TAG", "STATUS", "SLOT", "CUSTODIAN", "DUE", "NAME")


def assets_result(items: list[Asset], empty: str) -> Result:
    """A listing of assets: a table for people, a list of objects for --json."""
    return Result(
        lambda: [a.as_dict() for a in items],
        lambda: table(ASSET_HEADERS, asset_rows(items)) if items else empty,
    )


def asset_list(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        items = assets.listing(conn, status=args.status)
    return assets_result(items, "no assets")


def asset_status(ctx: Context, args: argparse.Namespace) -> Result:
    tag = validate.tag(args.tag)
    if args.op == "retire":
        ctx.confirm(f"Retire {tag} for good?")
    plan = execute(ctx.db, STATUS_CHANGES[args.op](tag), actor=ctx.actor)
    with ctx.db.read() as conn:
        asset = assets.get(conn, plan.subject)
    left = f" (left {plan.from_slot})" if plan.from_slot else ""
    return Result(asset.as_dict(), f"{asset.tag}: {asset.status}{left}")


def person_add(ctx: Context, args: argparse.Namespace) -> Result:
    who = people.add_person(ctx.db, ctx.badge(args.badge), args.name, actor=ctx.actor)
    return Result(who.as_dict(), f"added {clean(who.name)} ({clean(who.badge)})")


def person_list(ctx: Context, args: argparse.Namespace) -> Result:
    with ctx.db.read() as conn:
        everyone = people.people(conn)
    rows = [(p.badge, p.name, p.holding) for p in everyone]
    text = table(("BADGE", "NAME", "HOLDING"), rows) if rows else "no people"
    return Result([p.as_dict() for p in everyone], text)


def person_remove(ctx: Context, args: argparse.Namespace) -> Result:
    badge = validate.badge(ctx.badge(args.badge))
    with ctx.db.read() as conn:
        who = people.person(conn, badge)
    ctx.confirm(f"Remove {who.name} ({badge})?")
    who = people.remove_person(ctx.db, badge, actor=ctx.actor)
    return Result(who.as_dict(), f"removed {clean(who.name)} ({clean(who.badge)})")
