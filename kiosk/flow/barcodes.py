"""Telling scans apart: asset tag, slot label, badge or command code.

Every barcode the kiosk reads is one of five things, decided by the
configured patterns (``[kiosk.patterns]``) in this order:

1. the confirm or cancel command code (an exact string, printed on a card
   taped to the kiosk for the day a button breaks);
2. a slot label, by default ``SLOT:<CASE>:<POS>`` (groups ``case``, ``pos``);
3. a badge, by default ``BADGE:<id>`` (group ``badge``);
4. anything else is an asset tag, if it is a valid one.

    >>> Classifier().classify("SLOT:CART-A:3")
    Scan(kind='slot', value=SlotRef(case='CART-A', pos=3), code='SLOT:CART-A:3')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.domain import validate
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput
from kiosk.sanitize import clean

TAG, SLOT, BADGE, CONFIRM, CANCEL = "tag", "slot", "badge", "confirm", "cancel"

DEFAULT_SLOT = r"^SLOT:(?P<case>[^:]+):(?P<pos>\d+)$"
DEFAULT_BADGE = r"^BADGE:(?P<badge>.+)$"


@dataclass(frozen=True)
class Scan:
    """One classified barcode: ``value`` is the tag, SlotRef or badge (None for commands)."""

    kind: str
    value: str | SlotRef | None
    code: str


class Classifier:
    """Classifies raw scans with the configured patterns."""

    def __init__(
        self,
        *,
        slot: str = DEFAULT_SLOT,
        badge: str = DEFAULT_BADGE,
        confirm: str = "CMD:CONFIRM",
        cancel: str = "CMD:CANCEL",
    ) -> None:
        self.slot_re = re.compile(slot)
        self.badge_re = re.compile(badge)
        self.confirm = confirm
        self.cancel = cancel

    def classify(self, code: str) -> Scan:
        """The :class:`Scan` for ``code``; :class:`InvalidInput` when it is none of them."""
        code = code.strip()
        if code == self.confirm:
            return Scan(CONFIRM, None, code)
        if code == self.cancel:
            return Scan(CANCEL, None, code)
        m = self.slot_re.fullmatch(code)
        if m:
            try:
                return Scan(SLOT, SlotRef.of(m["case"], m["pos"]), code)
            except InvalidInput as exc:
                raise InvalidInput(f"bad slot label {clean(code)}: {exc}") from None
        m = self.badge_re.fullmatch(code)
        if m:
            try:
                return Scan(BADGE, validate.badge(m["badge"]), code)
            except InvalidInput as exc:
                raise InvalidInput(f"bad badge {clean(code)}: {exc}") from None
        try:
            return Scan(TAG, validate.tag(code), code)
        except InvalidInput:
            raise InvalidInput(f"not a tag, slot or badge: {clean(code)}") from None
