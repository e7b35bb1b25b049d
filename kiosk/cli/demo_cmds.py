"""``demo seed``: load the demo cases, assets and people."""

from __future__ import annotations

import argparse

from kiosk.cli.context import Context
from kiosk.cli.output import Result
from kiosk.cli.parsing import Parser, actions
from kiosk.errors import HardStop
from kiosk.ops import demo


def _demo(parser: Parser) -> None:
    sub = actions(parser, "demo")
    p = sub.add(
        "seed",
        "Load demo cases, laptops and people into an empty database.",
        "assettrack demo seed --if-empty",
    )
    p.add_argument(
        "--if-empty",
        action="store_true",
        help="succeed quietly when the database already has cases",
    )
    p.set_defaults(func=seed)


BUILDERS = {"demo": _demo}


def seed(ctx: Context, args: argparse.Namespace) -> Result:
    if not demo.is_empty(ctx.open_db(create=True)):
        if args.if_empty:
            return Result({"seeded": False}, f"{ctx.db.path}: already has data, left as is")
        raise HardStop(f"{ctx.db.path} already has cases; demo data goes into an empty database")
    demo.seed(ctx.db)
    return Result({"seeded": True}, f"{ctx.db.path}: demo cases, laptops and people loaded")
