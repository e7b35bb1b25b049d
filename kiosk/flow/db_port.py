"""The kiosk's window onto the database: the reads the state machine needs, and settling.

:class:`DbPort` implements :class:`kiosk.flow.ports.DomainPort` over a
:class:`~kiosk.domain.ports.Store`; the state machine only reads through
it. The one write of a kiosk step is :func:`settle`: commit the plan a
confirm handed back (planned again inside ``BEGIN IMMEDIATE`` by
:func:`kiosk.domain.operations.commit`) and tell the state machine how it went.
"""

from __future__ import annotations

from kiosk.domain import assets, operations
from kiosk.domain.operations import Operation, Plan
from kiosk.domain.ports import Store
from kiosk.domain.types import Asset
from kiosk.errors import KioskError
from kiosk.flow.interaction import Interaction
from kiosk.store import events

ACTOR = "kiosk"


class DbPort:
    """Reads for the state machine, each in one consistent snapshot."""

    def __init__(self, db: Store) -> None:
        self.db = db

    def lookup(self, tag: str) -> Asset | None:
        with self.db.read() as conn:
            return assets.find(conn, tag)

    def tag_of_snipeit_id(self, snipeit_id: int) -> str | None:
        with self.db.read() as conn:
            return assets.tag_of_snipeit_id(conn, snipeit_id)

    def preview(self, request: Operation) -> Plan:
        return operations.preview(self.db, request)

    def summary(self) -> dict[str, int]:
        with self.db.read() as conn:
            return assets.counts(conn)

    def known_tag(self, tag: str) -> str | None:
        with self.db.read() as conn:
            return assets.find_case_twin(conn, tag)

    def loans(self, badge: str) -> list[tuple[str, str | None]]:
        with self.db.read() as conn:
            return [(a.tag, a.due) for a in assets.held_by(conn, badge)]

    def last_op(self, tag: str) -> str | None:
        with self.db.read() as conn:
            newest = events.recent(conn, asset=tag, limit=1)
        return newest[0].op if newest else None


def settle(
    machine: Interaction, port: DbPort, plan: Plan | None, *, now: float, actor: str = ACTOR
) -> bool:
    """Commit ``plan`` (from a confirm) and report the outcome to ``machine``.

    Returns True when something was committed. A refusal (changed since the
    preview, storage full) is shown as a hard stop; nothing was written.
    """
    if plan is None:
        return False
    try:
        done = operations.commit(port.db, plan, actor=actor)
    except KioskError as exc:
        machine.commit_failed(exc, now)
        return False
    machine.committed(done, now)
    return True
