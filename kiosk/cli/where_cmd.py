"""``where TAG``: the read technicians type all day, so its module imports only what it reads."""

from __future__ import annotations

import argparse

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Parser
from kiosk.domain import assets, validate
from kiosk.sanitize import clean


def _where(parser: Parser) -> None:
    parser.add_argument("tag")
    parser.set_defaults(func=where)


BUILDERS = {"where": _where}


def where(ctx: Context, args: argparse.Namespace) -> Result:
    tag = validate.tag(args.tag)
    with ctx.db.read() as conn:
        asset = assets.get(conn, tag)
    slot = None if asset.slot is None else str(asset.slot)
    if slot:
        text = f"{asset.tag}: {slot}"
    elif asset.status == "IN_CUSTODY":
        text = (
            f"{clean(asset.tag)}: not in a slot "
            f"(out with {clean(asset.custodian_name)}, {clean(asset.custodian)})"
        )
    else:
        text = f"{asset.tag}: not in a slot ({asset.status})"
    return Result({"tag": asset.tag, "slot": slot, "status": asset.status}, text)
