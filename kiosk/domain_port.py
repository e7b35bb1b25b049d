"""The kiosk's window onto the database: the reads :mod:`kiosk.interaction` needs.

:class:`DbPort` implements :class:`kiosk.interaction.DomainPort` over a
:class:`~kiosk.db.Database`; the state machine only reads through it. The
one write of a kiosk step is :func:`settle`: commit the plan a confirm handed
back (re-validated inside ``BEGIN IMMEDIATE`` by :func:`kiosk.plans.commit`)
and tell the state machine how it went.
"""

from __future__ import annotations

from typing import Any

from kiosk import assets, plans
from kiosk.errors import KioskError
from kiosk.plans import Plan

ACTOR = "kiosk"


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


def settle(machine: Any, port: DbPort, plan: Plan | None, now: float, actor: str = ACTOR) -> bool:
    """Commit ``plan`` (from a confirm) and report the outcome to ``machine``.

    Returns True when something was committed. A refusal (changed since the
    preview, storage full) is shown as a hard stop; nothing was written.
    """
    if plan is None:
        return False
    try:
        done = plans.commit(port.db, plan, actor)
    except KioskError as exc:
        machine.commit_failed(exc, now)
        return False
    machine.committed(done, now)
    return True
