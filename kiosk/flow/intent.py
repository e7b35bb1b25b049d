"""What the person at the kiosk is doing, and the site's rules for it.

An :class:`Intent` collects what has been scanned for one step (the tag,
then a badge or a slot label) and turns it into the domain operation to
preview; :class:`Rules` are the ``[kiosk]`` policies the state machine in
:mod:`kiosk.flow.interaction` applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.intake import AUTO, AddAsset
from kiosk.domain.operations import Operation
from kiosk.domain.types import SlotRef

ADD, STOCK_OUT, STOCK_IN = "add", "stock_out", "stock_in"
STEP_NAMES = {ADD: "intake", STOCK_OUT: "stock-out", STOCK_IN: "stock-in"}


@dataclass(frozen=True)
class Rules:
    """The site's policies for the kiosk (``[kiosk]`` in the configuration)."""

    #: "confirm", "slot" or "off": see :mod:`kiosk.flow.interaction`.
    intake: str = "confirm"
    #: A kiosk loan is due this many days after the stock-out; 0: no due date.
    loan_days: int = 0
    #: Refuse a new loan to a badge holding an overdue one.
    block_overdue: bool = False


@dataclass(frozen=True)
class Intent:
    """What the person is doing: the operation and what they scanned for it so far."""

    op: str
    tag: str
    badge: str | None = None
    slot: SlotRef | None = None
    due: str | None = None

    def request(self) -> Operation:
        """The operation to preview for what has been scanned so far."""
        if self.op == ADD:
            return AddAsset(tag=self.tag, into=self.slot or AUTO)
        if self.op == STOCK_IN:
            return StockIn(self.tag, self.slot)
        return StockOut(self.tag, str(self.badge), self.due)
