"""What a command handler may use: its options, the database, the actor.

The full configuration is read by the commands that need it
(:func:`kiosk.config.settings.load_config`); opening the database needs
only the file's ``[database]`` table.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from kiosk.config import locate
from kiosk.errors import HardStop, InvalidInput
from kiosk.store.db import Database, resolve_path


class Context:
    """Opened lazily: a command that needs no database never opens one."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._db: Database | None = None
        self._database: tuple[str | None, float] | None = None

    @property
    def json(self) -> bool:
        return bool(self.args.json)

    @property
    def actor(self) -> str:
        if self.args.actor:
            return str(self.args.actor)
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return f"uid:{os.getuid()}"

    def db_path(self) -> Path:
        config_value = None
        if not self.args.db and not os.environ.get("ASSETTRACK_DB"):
            config_value = self.database_settings()[0]
        return resolve_path(self.args.db, config_value)

    @property
    def db(self) -> Database:
        """The database, which must exist: reading or changing never creates one."""
        return self.open_db(create=False)

    def open_db(self, *, create: bool, exact_schema: bool = False) -> Database:
        """Open the database; only the commands whose purpose is to create one pass ``create``.

        ``exact_schema``: refuse a schema other than the one the code creates (``run``).
        """
        if self._db is None:
            self._db = Database(
                self.db_path(),
                busy_timeout=self.config_busy_timeout(),
                create=create,
                exact_schema=exact_schema,
            )
        return self._db

    def config_busy_timeout(self) -> float:
        if self.args.db or os.environ.get("ASSETTRACK_DB"):
            return locate.DEFAULT_BUSY_TIMEOUT
        return self.database_settings()[1]

    def database_settings(self) -> tuple[str | None, float]:
        """The config's ``[database]`` path and busy timeout (see :mod:`kiosk.config.locate`)."""
        if self._database is None:
            self._database = locate.database_table(self.args.config)
        return self._database

    def badge(self, value: str) -> str:
        """A badge as typed, or as its card's code: ``BADGE:0044`` -> ``0044``.

        The kiosk stores and looks up the id its classifier takes out of the
        scanned code (``[kiosk.patterns] badge``), so the CLI does the same.
        """
        from kiosk.config.settings import load_config
        from kiosk.ops.codes import classifier_for, reduce_badge

        patterns = load_config(self.args.config).kiosk.patterns
        return reduce_badge(classifier_for(patterns), value)

    def confirm(self, question: str) -> None:
        """Ask on a TTY; elsewhere demand ``--yes``. Raises HardStop when refused."""
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
