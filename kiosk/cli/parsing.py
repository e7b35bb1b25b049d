"""argparse, made to follow the CLI's contract: one-line usage errors, purpose and example."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Protocol

from kiosk.errors import InvalidInput


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


class Subcommands(Protocol):
    """What ``add_subparsers()`` returns: a place to add named parsers."""

    def add_parser(self, name: str, **kw: Any) -> Parser: ...


def command(commands: Subcommands, name: str, summary: str, example: str, **kw: Any) -> Parser:
    """Add a sub-command whose --help shows a one-line purpose and an example."""
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


def actions(parser: Parser, name: str) -> Subcommands:
    """The place to add the actions of a command made of actions (``asset add``...)."""
    sub: Subcommands = parser.add_subparsers(
        dest=f"{name}_action", metavar="ACTION", required=True, parser_class=Parser
    )
    return sub
