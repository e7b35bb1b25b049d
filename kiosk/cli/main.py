"""Entry point of ``assettrack``: global options, the command table, the error contract.

The command typed is looked up in :data:`kiosk.cli.table.COMMANDS` and only
its module is imported and its parser built; the others appear in
``--help`` with their one-line purpose. A handler is
``handler(ctx, args) -> Result``; it raises :class:`KioskError` for every
expected failure, which this module turns into the one-line message (or
the ``{"error": ...}`` JSON document) and the contract exit code.

Commands that do not touch hardware must not import gpiozero, luma or
pyserial: technicians type them over SSH all day, and those imports cost
more than the work.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from kiosk.cli.context import Context
from kiosk.cli.output import Result, emit, emit_error
from kiosk.cli.parsing import Commands, Formatter, Parser
from kiosk.cli.table import COMMANDS, GROUPS
from kiosk.errors import InvalidInput, KioskError

Handler = Callable[[Context, argparse.Namespace], Result]


def build_parser(command_name: str | None = None) -> Parser:
    """The root parser with the typed command built in full, or every command listed."""
    root = Parser(
        prog="assettrack",
        description="AssetTrack equipment-room kiosk: slots, assets, custody and the kiosk daemon.",
        formatter_class=Formatter,
        epilog=_epilog(),
    )
    root.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $ASSETTRACK_DB, "
        "the config's database.path, then the state directory)",
    )
    root.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: $ASSETTRACK_CONFIG, then /etc/assettrack/assettrack.toml)",
    )
    root.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    root.add_argument("--actor", metavar="NAME", help="who is making the change (default: login)")
    root.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    commands = Commands(root, "command", metavar="COMMAND", required=False)
    typed = COMMANDS.get(command_name or "")
    if command_name is None or typed is None:
        # Help, or a name argparse must refuse: list every command by its purpose.
        # (Each parser costs argparse a few translation look-ups, so a typed
        # command builds its own parser only.)
        for name, info in COMMANDS.items():
            commands.list(name, info.summary)
        return root
    parser = commands.add(command_name, typed.summary, typed.example)
    importlib.import_module(typed.module).BUILDERS[command_name](parser)
    return root


def _epilog() -> str:
    groups = "\n".join(f"  {title + ':':<18} {', '.join(names)}" for title, names in GROUPS)
    return (
        f"command groups:\n{groups}"
        "\n\nexit codes: 0 ok, 1 other failure, 2 usage or invalid input,"
        "\n            3 hard stop (conflict; nothing changed), 4 not found"
        "\n\n'assettrack COMMAND --help' shows each command's purpose and an example."
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    first = _first_positional(argv)
    as_json = "--json" in argv
    ctx = None
    try:
        parser = build_parser(argv[first] if first < len(argv) else None)
        args = parser.parse_args(argv)
        if args.verbose:
            # Imported for -v only: logging costs a read like `where` a third of its time.
            import logging

            logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
        handler: Handler | None = getattr(args, "func", None)
        if handler is None:
            if as_json:
                raise InvalidInput("no command given; see assettrack --help", code="usage")
            parser.print_help()
            return 2
        ctx = Context(args)
        return emit(handler(ctx, args), ctx.json)
    except KioskError as err:
        return emit_error(err, as_json)
    except KeyboardInterrupt:
        return emit_error(KioskError("interrupted", code="interrupted"), as_json)
    except BrokenPipeError:
        return 1
    finally:
        if ctx is not None:
            ctx.close()


def _first_positional(argv: list[str]) -> int:
    takes_value = {"--db", "--config", "--actor"}
    i = 0
    while i < len(argv):
        if argv[i] in takes_value:
            i += 2
            continue
        if not argv[i].startswith("-"):
            return i
        i += 1
    return len(argv)
