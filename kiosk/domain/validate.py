"""Validation of identifiers that come from people and barcodes.

Tags, badges and case names are keys: they are stripped of surrounding
whitespace, must be printable (no control characters, no escape sequences)
and have a bounded length. A case name may not hold ``:`` because slots are
written ``CASE:POS`` everywhere (JSON, events, barcodes).
"""

from __future__ import annotations

import datetime as _dt

from kiosk.errors import InvalidInput
from kiosk.sanitize import clean

TAG_MAX = 64
CASE_MAX = 32
NAME_MAX = 200
NOTES_MAX = 4000
SLOTS_MAX = 1000


def _identifier(kind: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{kind} must be text")
    text = value.strip()
    if not text:
        raise InvalidInput(f"{kind} is empty")
    if len(text) > limit:
        raise InvalidInput(f"{kind} is longer than {limit} characters: {clean(text[:20])}...")
    if not text.isprintable():
        raise InvalidInput(f"{kind} holds control characters: {clean(text)}")
    return text


def tag(value: object) -> str:
    """An asset tag, e.g. ``LT-0193``."""
    return _identifier("asset tag", value, TAG_MAX)


def badge(value: object) -> str:
    """A person's badge or user id."""
    return _identifier("badge", value, TAG_MAX)


def case_name(value: object) -> str:
    """A storage case name, e.g. ``CART-A``."""
    text = _identifier("case name", value, CASE_MAX)
    if ":" in text:
        raise InvalidInput(f"case name may not contain ':': {clean(text)}")
    return text


def position(value: object) -> int:
    """A slot position: a whole number from 1."""
    if isinstance(value, bool):
        raise InvalidInput("slot position must be a whole number")
    try:
        pos = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InvalidInput(f"slot position must be a whole number: {clean(value)}") from None
    if pos < 1:
        raise InvalidInput(f"slot position must be 1 or more, got {pos}")
    if pos > SLOTS_MAX:
        raise InvalidInput(f"slot position must be at most {SLOTS_MAX}, got {pos}")
    return pos


def slot_count(value: object) -> int:
    """How many slots a case has: 1..SLOTS_MAX."""
    try:
        return position(value)
    except InvalidInput:
        raise InvalidInput(f"slot count must be 1 to {SLOTS_MAX}: {clean(value)}") from None


def text(kind: str, value: object, limit: int = NAME_MAX) -> str:
    """Free text (names, models, notes): any characters but NUL, bounded length.

    Control characters are kept as typed; they are escaped on output.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{kind} must be text")
    value = value.strip()
    if "\x00" in value:
        raise InvalidInput(f"{kind} holds a NUL character")
    if len(value) > limit:
        raise InvalidInput(f"{kind} is longer than {limit} characters")
    return value


def date(value: object) -> str:
    """A calendar date ``YYYY-MM-DD``; returned normalised."""
    try:
        return _dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput(f"date must be YYYY-MM-DD: {clean(value)}") from None
