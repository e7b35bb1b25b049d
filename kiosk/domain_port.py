"""The kiosk's window onto the database: the reads :mod:`kiosk.interaction` needs.

:class:`DbPort` implements :class:`kiosk.interaction.DomainPort` over a
:class:`~kiosk.db.Database`. It only reads; the daemon commits plans itself
with :func:`kiosk.plans.commit`, the one write of a kiosk step.
"""

from __future__ import annotations

from typing import Any

from kiosk import assets, plans
from kiosk.plans import Plan


class DbPort:
    """Reads for the state machine, each in one consistent snapshot."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def lookup(self, tag: str) -> assets.Asset | None:
        with self.db.read() as conn:
            return assets.find(conn, tag)

    def preview(self, op: str, **args: Any) -> Plan:
        return plans.preview(self.db, op, **args)

    def summary(self) -> dict[str, int]:
        with self.db.read() as conn:
            return assets.counts(conn)
