"""``demo seed``: load the demo cases, assets and people."""

from __future__ import annotations

from kiosk.cli.main import command, group
from kiosk.cli.output import Result
from kiosk.errors import HardStop

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    sub = group(
        commands,
        "demo",
        "Demo data for trying the kiosk.",
        "assettrack --db data/assettrack.db demo seed --if-empty",
    )
    p = command(
        sub,
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


def seed(ctx, args) -> Result:
    from kiosk import demo

    if not demo.is_empty(ctx.db):
        if args.if_empty:
            return Result({"seeded": False}, f"{ctx.db.path}: already has data, left as is")
        raise HardStop(f"{ctx.db.path} already has cases; demo data goes into an empty database")
    demo.seed(ctx.db)
    return Result({"seeded": True}, f"{ctx.db.path}: demo cases, laptops and people loaded")
