"""Telling scans apart: asset tag, slot label, badge or command code.

Every barcode the kiosk reads is one of these, decided by the configured
patterns (``[kiosk.patterns]``) in this order:

1. the confirm or cancel command code (an exact string, printed on a card
   taped to the kiosk for the day a button breaks), in any letter case;
2. a slot label, by default ``SLOT:<CASE>:<POS>`` (groups ``case``, ``pos``);
3. a badge, by default ``BADGE:<id>`` (group ``badge``);
4. a code that *starts* like one of those (``SLOT:``, ``BADGE:``, ``CMD:``,
   in any letter case) but did not parse: a bad label, refused. A damaged or
   hand-made label must never become an asset called ``SLOT:CART-A:-1``;
5. a Snipe-IT QR label: ``https://HOST/ht/<TAG>`` is that tag, whatever its
   form (group ``tag``, %-escapes decoded); ``https://HOST/hardware/<ID>``
   is the asset Snipe-IT knows by that id (group ``id``; the state machine
   looks the tag up). An empty pattern turns a form off;
6. an asset tag, if it matches the ``tag`` pattern (by default upper-case
   letters, then hyphen-separated groups: ``LT-0101``, ``MON-2024-07``).

Anything else is refused with a message naming what it is not.

    >>> Classifier().classify("SLOT:CART-A:3")
    Scan(kind='slot', value=SlotRef(case='CART-A', pos=3), code='SLOT:CART-A:3')

Each pattern is one keyword argument here and one key of ``[kiosk.patterns]``
(``kiosk.config.settings.PATTERN_GROUPS`` lists the named groups each regular
expression needs), so a new kind of code is one more key, not a new table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from kiosk.domain import validate
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput
from kiosk.sanitize import clean

TAG, SLOT, BADGE, CONFIRM, CANCEL = "tag", "slot", "badge", "confirm", "cancel"
#: A Snipe-IT asset id (from a ``.../hardware/ID`` QR label): the value is the int.
SNIPEIT_ID = "snipeit_id"

DEFAULT_TAG = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"
DEFAULT_SLOT = r"^SLOT:(?P<case>[^:]+):(?P<pos>\d+)$"
DEFAULT_BADGE = r"^BADGE:(?P<badge>.+)$"
DEFAULT_CONFIRM = "CMD:CONFIRM"
DEFAULT_CANCEL = "CMD:CANCEL"
# Snipe-IT's QR labels, also when Snipe-IT runs under a sub-path (https://HOST/snipe/ht/TAG).
DEFAULT_SNIPEIT_TAG_URL = r"^https?://[^/?#]+(?:/[^?#]*)?/ht/(?P<tag>[^/?#]+)/?$"
DEFAULT_SNIPEIT_ID_URL = r"^https?://[^/?#]+(?:/[^?#]*)?/hardware/(?P<id>[0-9]{1,18})/?$"

# Characters that end the literal start of a regular expression.
_META = re.compile(r"[\\.^$*+?{}\[\]|()]")


class BadLabel(InvalidInput):
    """A code shaped like a slot label, badge or command code that does not parse."""

    def __init__(self, message: str, what: str) -> None:
        super().__init__(message, code="bad_label")
        self.what = what


@dataclass(frozen=True)
class Scan:
    """One classified barcode: ``value`` is the tag, SlotRef, badge or Snipe-IT id (or None)."""

    kind: str
    value: str | SlotRef | int | None
    code: str


def literal_prefix(pattern: str) -> str:
    """The fixed text a regular expression's matches start with (``SLOT:`` for the default).

    >>> literal_prefix(r"^SLOT:(?P<case>[^:]+):(?P<pos>\\d+)$")
    'SLOT:'
    """
    body = pattern.removeprefix("^")
    m = _META.search(body)
    literal = body if m is None else body[: m.start()]
    if m is not None and m.group() in ("*", "?", "{"):
        literal = literal[:-1]  # "AB*" does not promise the B
    return literal


def _command_prefix(confirm: str, cancel: str) -> str:
    """What the two command codes share up to a separator: ``CMD:`` for the defaults."""
    shared = ""
    for a, b in zip(confirm.upper(), cancel.upper(), strict=False):
        if a != b:
            break
        shared += a
    # No separator: rfind gives -1, and the slice is empty.
    cut = max(shared.rfind(":"), shared.rfind("-"), shared.rfind("/"))
    return shared[: cut + 1]


class Classifier:
    """Classifies raw scans with the configured patterns."""

    def __init__(
        self,
        *,
        tag: str = DEFAULT_TAG,
        slot: str = DEFAULT_SLOT,
        badge: str = DEFAULT_BADGE,
        confirm: str = DEFAULT_CONFIRM,
        cancel: str = DEFAULT_CANCEL,
        snipeit_tag_url: str = DEFAULT_SNIPEIT_TAG_URL,
        snipeit_id_url: str = DEFAULT_SNIPEIT_ID_URL,
    ) -> None:
        self.tag_re = re.compile(tag)
        self.snipeit_tag_re = re.compile(snipeit_tag_url) if snipeit_tag_url else None
        self.snipeit_id_re = re.compile(snipeit_id_url) if snipeit_id_url else None
        self.slot_re = re.compile(slot)
        self.badge_re = re.compile(badge)
        self.confirm = confirm.strip().upper()
        self.cancel = cancel.strip().upper()
        # Upper-cased starts of each kind of label; an empty one never matches.
        self.prefixes = [
            (what, prefix.upper())
            for what, prefix in (
                ("slot label", literal_prefix(slot)),
                ("badge", literal_prefix(badge)),
                ("command code", _command_prefix(self.confirm, self.cancel)),
            )
            if prefix
        ]

    def classify(self, code: str) -> Scan:
        """The :class:`Scan` for ``code``; :class:`InvalidInput` when it is none of them.

        A code that starts like a label but does not parse raises :class:`BadLabel`.
        """
        code = code.strip()
        upper = code.upper()
        if upper == self.confirm:
            return Scan(CONFIRM, None, code)
        if upper == self.cancel:
            return Scan(CANCEL, None, code)
        m = self.slot_re.fullmatch(code)
        if m:
            try:
                return Scan(SLOT, SlotRef.of(m["case"], m["pos"]), code)
            except InvalidInput as exc:
                raise BadLabel(f"bad slot label {clean(code)}: {exc}", "slot label") from None
        m = self.badge_re.fullmatch(code)
        if m:
            try:
                return Scan(BADGE, validate.badge(m["badge"]), code)
            except InvalidInput as exc:
                raise BadLabel(f"bad badge {clean(code)}: {exc}", "badge") from None
        for what, prefix in self.prefixes:
            if upper.startswith(prefix):
                raise BadLabel(f"bad {what} {clean(code)}", what)
        url = self._snipeit_url(code)
        if url is not None:
            return url
        if self.tag_re.fullmatch(code):
            try:
                return Scan(TAG, validate.tag(code), code)
            except InvalidInput:
                pass
        raise InvalidInput(f"not a tag, slot or badge: {clean(code)}")

    def _snipeit_url(self, code: str) -> Scan | None:
        """A Snipe-IT QR label's URL as the tag or the Snipe-IT id it names."""
        m = self.snipeit_tag_re.fullmatch(code) if self.snipeit_tag_re else None
        if m:
            try:
                return Scan(TAG, validate.tag(unquote(m["tag"])), code)
            except InvalidInput as exc:
                raise BadLabel(
                    f"bad Snipe-IT label {clean(code)}: {exc}", "Snipe-IT label"
                ) from None
        m = self.snipeit_id_re.fullmatch(code) if self.snipeit_id_re else None
        if m:
            return Scan(SNIPEIT_ID, int(m["id"]), code)
        return None
