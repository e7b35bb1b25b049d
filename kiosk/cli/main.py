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
import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.cli.output import Result, emit, emit_error
from kiosk.errors import InvalidInput, KioskError

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any

# argparse passes each of its own strings through gettext, which searches the
# disk for message catalogues on every call: about 0.5 ms a string, several
# strings a parser. Python ships no catalogue for argparse and AssetTrack
# speaks English, so the strings are used as they are.


def _ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


argparse._ = str  # type: ignore[attr-defined]
argparse.ngettext = _ngettext  # type: ignore[attr-defined]

# (group title, module) in the order `assettrack --help` lists them.
GROUPS: list[tuple[str, str]] = [
    ("cases and slots", "kiosk.cli.slot_cmds"),
    ("assets and people", "kiosk.cli.asset_cmds"),
    ("custody", "kiosk.cli.custody_cmds"),
    ("log", "kiosk.cli.log_cmds"),
    ("data", "kiosk.cli.data_cmds"),
    ("hardware", "kiosk.cli.hw_cmds"),
    ("daemon", "kiosk.cli.daemon_cmds"),
    ("demo", "kiosk.cli.demo_cmds"),
]

# The modules that define (or extend) each top-level command. Parsing one
# command imports only these; a command missing here makes the parser load
# every group, which is correct, only slower.
OWNERS: dict[str, tuple[str, ...]] = {
    "case": ("kiosk.cli.slot_cmds",),
    "slot": ("kiosk.cli.slot_cmds",),
    "where": ("kiosk.cli.slot_cmds",),
    "asset": ("kiosk.cli.asset_cmds", "kiosk.cli.data_cmds"),
    "person": ("kiosk.cli.asset_cmds",),
    "stock-out": ("kiosk.cli.custody_cmds",),
    "stock-in": ("kiosk.cli.custody_cmds",),
    "custody": ("kiosk.cli.custody_cmds",),
    "log": ("kiosk.cli.log_cmds",),
    "backup": ("kiosk.cli.data_cmds",),
    "restore": ("kiosk.cli.data_cmds",),
    "doctor": ("kiosk.cli.data_cmds",),
    "hw": ("kiosk.cli.hw_cmds",),
    "run": ("kiosk.cli.daemon_cmds",),
    "status": ("kiosk.cli.daemon_cmds",),
    "inject": ("kiosk.cli.daemon_cmds",),
    "screen": ("kiosk.cli.daemon_cmds",),
    "demo": ("kiosk.cli.demo_cmds",),
}


class Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, told the width so that it need not import shutil."""

    def __init__(self, prog: str, **kw: Any) -> None:
        if kw.get("width") is None:
            kw["width"] = _columns() - 2
        super().__init__(prog, **kw)


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 80


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
        import getpass

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
            config_value = self.database_settings()[0]
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
        return self.database_settings()[1]

    def database_settings(self) -> tuple[str | None, float]:
        """The config's ``[database]`` path and busy timeout.

        Read on their own: opening the database must not pay for checking
        the hardware sections on every call (the daemon and ``doctor`` check
        the whole file). A config already loaded in full is used as is.
        """
        if self._config is not None:
            database = self._config.database
            return database.path, float(database.busy_timeout)
        return read_database_table(self.args.config)

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


SYSTEM_CONFIG = "/etc/assettrack/assettrack.toml"  # kiosk.config.SYSTEM_PATH


def read_database_table(option: str | None) -> tuple[str | None, float]:
    """``[database]`` of the config file (as :func:`kiosk.config.load_config` finds it)."""
    chosen = option or os.environ.get("ASSETTRACK_CONFIG")
    if not chosen:
        if not os.path.exists(SYSTEM_CONFIG):
            return None, 5.0
        chosen = SYSTEM_CONFIG
    import tomllib

    from kiosk.errors import ConfigError
    from kiosk.sanitize import clean

    try:
        with open(chosen, "rb") as f:
            table = tomllib.loads(f.read().decode("utf-8")).get("database", {})
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {clean(chosen)}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read config file {clean(chosen)}: {err}") from None
    if not isinstance(table, dict):
        raise ConfigError("database: must be a table")
    path, timeout = table.get("path"), table.get("busy_timeout", 5.0)
    if path is not None and not isinstance(path, str):
        raise ConfigError("database.path: must be a string")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("database.busy_timeout: must be a number above 0")
    return path or None, float(timeout)


def build_parser(command_name: str | None = None) -> Parser:
    """The full parser, or (given the command typed) only what that command needs."""
    root = Parser(
        prog="assettrack",
        description="AssetTrack equipment-room kiosk: slots, assets, custody and the kiosk daemon.",
        formatter_class=Formatter,
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
    wanted = OWNERS.get(command_name or "")
    if wanted is not None:
        commands.only = command_name  # see command(): the others are not built
    epilog = []
    for title, module in GROUPS:
        if wanted is not None and module not in wanted:
            continue
        mod = importlib.import_module(module)
        before = set(commands.choices)
        mod.register(commands)
        names = [n for n in commands.choices if n not in before]
        names = list(getattr(mod, "HELP_NAMES", ())) + names
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


class Unused:
    """Stands in for a command that was not typed: its set-up calls do nothing."""

    def __getattr__(self, name: str) -> Any:
        return self._absorb

    def _absorb(self, *args: Any, **kw: Any) -> Unused:
        return self


def command(commands: Any, name: str, summary: str, example: str, **kw: Any) -> Parser:
    """Add a sub-command whose --help shows a one-line purpose and an example.

    When the parser is built for one typed command, the other top-level
    commands (and everything under them) are :class:`Unused`: building
    their parsers would cost every call more than the work itself.
    """
    if isinstance(commands, Unused) or getattr(commands, "only", name) != name:
        return Unused()  # type: ignore[return-value]
    parser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}",
        formatter_class=Formatter,
        **kw,
    )
    # `assettrack asset list --json` works as well as `assettrack --json asset list`.
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    return parser


def group(commands: Any, name: str, summary: str, example: str) -> Any:
    """Add a command made of actions (``asset add``, ``asset list``...); returns
    the place to add those actions with :func:`command`."""
    parser = command(commands, name, summary, example)
    return parser.add_subparsers(dest=f"{name}_action", metavar="ACTION", required=True)


def actions_of(commands: Any, name: str) -> Any:
    """The sub-command action of the registered command ``name``, to add actions to it."""
    parser = commands.choices[name]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


Handler = Callable[[Context, argparse.Namespace], Result]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    first = _first_positional(argv)
    as_json = "--json" in argv
    ctx = None
    try:
        parser = build_parser(argv[first] if first < len(argv) else None)
        args = parser.parse_args(argv)
        if args.verbose:
            # Only then: logging costs every call otherwise, and without it
            # warnings still reach stderr through logging's last-resort handler.
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
