"""Snipe-IT's status labels, mapped to the kiosk's five statuses.

Snipe-IT's labels are names each site defines; its defaults include
"Ready to Deploy", "Pending", "Archived", "Out for Diagnostics", "Out for
Repair", "Broken - Not Fixable" and "Lost/Stolen". A label is looked up in
this order:

1. ``--status-map LABEL=STATUS`` (the site says what its label means);
2. :data:`STATUS_MAP`, the defaults above and our own status names;
3. its words (:data:`WORDS`): "Pending Diagnostics" has *pending*, so REPAIR;
4. anything else is IN_STOCK, and the import report lists the label.

With ``--strict`` steps 3 and 4 are off: an unmapped label refuses the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.domain.types import STATUSES
from kiosk.errors import InvalidInput
from kiosk.sanitize import clean

# Snipe-IT status label (lower case) -> our status. Override with --status-map.
STATUS_MAP: dict[str, str] = {
    "": "IN_STOCK",
    "ready to deploy": "IN_STOCK",
    "deployable": "IN_STOCK",
    "deployed": "IN_STOCK",
    "in stock": "IN_STOCK",
    "pending": "REPAIR",
    "undeployable": "REPAIR",
    "out for repair": "REPAIR",
    "out for diagnostics": "REPAIR",
    "archived": "RETIRED",
    "retired": "RETIRED",
    "lost": "LOST",
    "stolen": "LOST",
    "lost/stolen": "LOST",
    **{s.lower(): s for s in STATUSES},
    "in_custody": "IN_CUSTODY",
}

# A word of an unmapped label -> our status; the first status with a word wins,
# so "Ready for repair" is REPAIR (a label that warns is the one to believe).
WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("REPAIR", frozenset({"pending", "diagnostics", "repair", "broken"})),
    ("LOST", frozenset({"lost", "stolen"})),
    ("RETIRED", frozenset({"archived", "retired"})),
    ("IN_STOCK", frozenset({"ready", "deployable", "deployed"})),
)

KNOWN, BY_WORDS, DEFAULT = "known", "words", "default"


@dataclass(frozen=True)
class Mapped:
    """What a label means here, and how that was decided (:data:`KNOWN` ...)."""

    status: str
    how: str


def parse_status_map(items: Iterable[str]) -> dict[str, str]:
    """``["Broken=REPAIR", ...]`` -> the default map with those labels replaced."""
    mapping = dict(STATUS_MAP)
    for item in items:
        label, sep, status = item.rpartition("=")
        status = status.strip().upper()
        if not sep or not label.strip():
            raise InvalidInput(f"--status-map wants LABEL=STATUS, got {clean(item)}")
        if status not in STATUSES:
            raise InvalidInput(
                f"--status-map {clean(item)}: status must be one of {', '.join(STATUSES)}"
            )
        mapping[label.strip().lower()] = status
    return mapping


def by_words(label: str) -> str | None:
    """The status a label's words name, or None when none of them does."""
    words = set(re.findall(r"[a-z]+", label.lower()))
    return next((status for status, names in WORDS if words & names), None)


def map_label(label: str, mapping: Mapping[str, str], *, strict: bool) -> Mapped | None:
    """What ``label`` means; None only when ``strict`` and it is not mapped."""
    known = mapping.get(label.strip().lower())
    if known is not None:
        return Mapped(known, KNOWN)
    if strict:
        return None
    guessed = by_words(label)
    return Mapped(guessed, BY_WORDS) if guessed else Mapped("IN_STOCK", DEFAULT)
