"""argparse, made to follow the CLI's contract: one-line usage errors, purpose and example."""

from __future__ import annotations

import argparse
import os
import sys

from kiosk.errors import InvalidInput


class Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, told the width so that it need not import shutil."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
        super().__init__(prog, indent_increment, max_help_position, width=_columns() - 2)


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


class Commands:
    """The named sub-commands (or actions) of one parser."""

    def __init__(self, parser: Parser, dest: str, *, metavar: str, required: bool) -> None:
        self._sub = parser.add_subparsers(
            dest=dest, metavar=metavar, required=required, parser_class=Parser
        )

    def add(self, name: str, summary: str, example: str) -> Parser:
        """A sub-command whose --help shows a one-line purpose and an example."""
        parser: Parser = self._sub.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"example:\n  {example}",
            formatter_class=Formatter,
        )
        # `assettrack asset list --json` works as well as `assettrack --json asset list`.
        parser.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        return parser

    def list(self, name: str, summary: str) -> None:
        """A sub-command shown in --help by its purpose, never parsed (only named)."""
        self._sub.add_parser(name, help=summary, formatter_class=Formatter)


def actions(parser: Parser, name: str, metavar: str = "ACTION") -> Commands:
    """The actions of a command made of actions (``asset add``, ``asset list``...)."""
    return Commands(parser, f"{name}_action", metavar=metavar, required=True)
