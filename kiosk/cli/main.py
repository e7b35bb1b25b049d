"""Entry point of ``assettrack``: global options, command groups, error contract.

Command modules each expose ``register(commands)``; a command's handler is
``handler(ctx, args) -> Result``. Handlers raise :class:`KioskError` for
every expected failure; this module turns it into the one-line message (or
the ``{"error": ...}`` JSON document) and the contract exit code.

Commands that do not touch hardware must not import gpiozero, luma or
pyserial: technicians type them over SSH all day, and those imports cost
more than the work.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.cli.output import Result, emit, emit_error
from kiosk.errors import InvalidInput, KioskError

# (group title, module) in the order `assettrack --help` lists them.
GROUPS: list[tuple[str, str]] = [
    ("cases and slots", "kiosk.cli.slot_cmds"),
    ("assets and people", "kiosk.cli.asset_cmds"),
    ("custody", "kiosk.cli.custody_cmds"),
    ("log", "kiosk.cli.log_cmds"),
    ("hardware", "kiosk.cli.hw_cmds"),
    ("daemon", "kiosk.cli.daemon_cmds"),
    ("demo", "kiosk.cli.demo_cmds"),
]

log = logging.getLogger("kiosk.cli")


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors follow the contract."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InvalidInput(f"{self.prog}: {message}", code="usage")


@dataclass
class Context:
    """What a handler may use: options, the database, the config, the actor."""

    args: argparse.Namespace
    _db: Any = field(default=None, repr=False)
    _config: Any = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return bool(self.args.json)

    @property
    def actor(self) -> str:
        if self.args.actor:
            return self.args.actor
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return f"uid:{os.getuid()}"

    @property
    def config(self) -> Any:
        if self._config is None:
            from kiosk.config import load_config

            self._config = load_config(self.args.config)
        return self._config

    def db_path(self):
        from kiosk.db import resolve_path

        config_value = None
        if not self.args.db and not os.environ.get("ASSETTRACK_DB"):
            config_value = self.config.database.path
        return resolve_path(self.args.db, config_value)

    @property
    def db(self):
        if self._db is None:
            from kiosk.db import Database

            self._db = Database(self.db_path(), busy_timeout=self.config_busy_timeout())
        return self._db

    def config_busy_timeout(self) -> float:
        if self.args.db or os.environ.get("ASSETTRACK_DB"):
            return 5.0
        return float(self.config.database.busy_timeout)

    def confirm(self, question: str) -> None:
        """Ask on a TTY; elsewhere demand ``--yes``. Raises HardStop when refused."""
        from kiosk.errors import HardStop

        if getattr(self.args, "yes", False):
            return
        if not sys.stdin.isatty() or self.json:
            raise InvalidInput(f"{question.rstrip('?')}: refusing without --yes")
        answer = input(f"{question} [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            raise HardStop("cancelled; nothing changed", code="cancelled")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def build_parser() -> Parser:
    root = Parser(
        prog="assettrack",
        description="AssetTrack equipment-room kiosk: slots, assets, custody and the kiosk daemon.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    epilog = []
    for title, module in GROUPS:
        mod = importlib.import_module(module)
        before = set(commands.choices)
        mod.register(commands)
        names = [n for n in commands.choices if n not in before]
        epilog.append(f"  {title + ':':<18} {', '.join(names)}")
    root.epilog = (
        "command groups:\n"
        + "\n".join(epilog)
        + (
            "\n\nexit codes: 0 ok, 1 other failure, 2 usage or invalid input,"
            "\n            3 hard stop (conflict; nothing changed), 4 not found"
            "\n\n'assettrack COMMAND --help' shows each command's purpose and an example."
        )
    )
    return root


def command(commands: Any, name: str, summary: str, example: str, **kw: Any) -> Parser:
    """Add a sub-command whose --help shows a one-line purpose and an example."""
    return commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kw,
    )


Handler = Callable[[Context, argparse.Namespace], Result]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv[: _first_positional(argv)]
    ctx = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        handler: Handler | None = getattr(args, "func", None)
        if handler is None:
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
