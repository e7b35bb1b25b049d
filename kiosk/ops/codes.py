"""The kiosk's codes as people handle them: printed on labels, typed at the CLI.

A printed label holds the code the kiosk will read back, and the words under it.

The codes are built from the same patterns the kiosk's :class:`Classifier`
uses to read them (``[kiosk.patterns]``), never from literals repeated here:
a slot pattern ``^SLOT:(?P<case>[^:]+):(?P<pos>\\d+)$`` prints ``SLOT:CART-A:3``.
A pattern is read as literal text around its named groups; one whose shape
cannot be printed that way (an alternation or a repeat outside the groups)
is refused, and every code built is classified again before it is printed,
so a label that would scan as something else never reaches paper.

    >>> Template.of(r"^BADGE:(?P<badge>.+)$").fill(badge="0042")
    'BADGE:0042'
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from kiosk.config.settings import PatternsConfig
from kiosk.domain import assets, people, slots, validate
from kiosk.domain.types import SlotRef
from kiosk.errors import ConfigError, InvalidInput, NotFound
from kiosk.flow.barcodes import BADGE, CANCEL, CONFIRM, SLOT, TAG, Classifier
from kiosk.interop.labels import Label
from kiosk.sanitize import clean

# Regex syntax that makes the text around the groups anything but one fixed string.
_SPECIAL = set(".^$*+?{}[]|()")
_ANCHORS = ("^", "\\A")
_END_ANCHORS = ("$", "\\Z", "\\z")


@dataclass(frozen=True)
class Template:
    """A pattern as fixed text and named fields, e.g. ``("SLOT:", "{case}", ":", "{pos}")``."""

    pattern: str
    parts: tuple[tuple[str, bool], ...]  # (text, is_field)

    @classmethod
    def of(cls, pattern: str) -> Template:
        """Read ``pattern`` as literals around named groups; ConfigError when it is not one."""
        body = pattern
        for anchor in _ANCHORS:
            if body.startswith(anchor):
                body = body[len(anchor) :]
                break
        for anchor in _END_ANCHORS:
            if body.endswith(anchor) and not body.endswith("\\" + anchor):
                body = body[: -len(anchor)]
                break
        parts: list[tuple[str, bool]] = []
        literal: list[str] = []
        i = 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
                literal.append(body[i + 1])
                i += 2
            elif body.startswith("(?P<", i):
                end = body.index(">", i)
                if literal:
                    parts.append(("".join(literal), False))
                    literal = []
                parts.append((body[i + 4 : end], True))
                i = _group_end(body, i, pattern)
            elif ch == "\\" or ch in _SPECIAL:
                raise ConfigError(
                    f"kiosk.patterns: cannot print labels for {clean(pattern)}: "
                    "only fixed text around named groups can be printed"
                )
            else:
                literal.append(ch)
                i += 1
        if literal:
            parts.append(("".join(literal), False))
        return cls(pattern, tuple(parts))

    def fill(self, **values: object) -> str:
        return "".join(str(values[text]) if field else text for text, field in self.parts)


def _group_end(body: str, start: int, pattern: str) -> int:
    """The index just after the group opening at ``start`` (escapes and classes skipped)."""
    depth, i, in_class = 0, start, False
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ConfigError(f"kiosk.patterns: unbalanced group in {clean(pattern)}")


class LabelCodes:
    """Builds each kind of label's code from the kiosk's patterns, checked by its classifier."""

    def __init__(self, patterns: PatternsConfig | None = None) -> None:
        p = patterns or PatternsConfig()
        self.classifier = classifier_for(p)
        self.slot = Template.of(p.slot)
        self.badge = Template.of(p.badge)

    def checked(self, code: str, kind: str, value: object, lines: Iterable[str]) -> Label:
        """A label for ``code``, if the kiosk would read it as ``kind`` ``value``."""
        try:
            scan = self.classifier.classify(code)
        except InvalidInput as exc:
            raise InvalidInput(f"label {clean(code)} would not scan: {exc}") from None
        if scan.kind != kind or (value is not None and scan.value != value):
            raise InvalidInput(
                f"label {clean(code)} would scan as {scan.kind} {clean(scan.value)}, "
                f"not {kind} {clean(value)}: check [kiosk.patterns]"
            )
        return Label(code, tuple(lines), kind)

    def for_slot(self, ref: SlotRef) -> Label:
        code = self.slot.fill(case=ref.case, pos=ref.pos)
        return self.checked(code, SLOT, ref, [str(ref)])

    def for_badge(self, badge: str, name: str) -> Label:
        code = self.badge.fill(badge=badge)
        return self.checked(code, BADGE, badge, [name, badge] if name != badge else [badge])

    def for_asset(self, tag: str, name: str, model: str) -> Label:
        words = " / ".join(w for w in (name, model) if w)
        return self.checked(tag, TAG, tag, [tag, words] if words else [tag])

    def commands(self) -> list[Label]:
        return [
            self.checked(self.classifier.confirm, CONFIRM, None, ["Confirm"]),
            self.checked(self.classifier.cancel, CANCEL, None, ["Cancel"]),
        ]


def reduce_badge(classifier: Classifier, value: str) -> str:
    """``BADGE:0044`` (a badge card's code, as scanned) -> ``0044``; anything else as typed.

    People and the README write badges both ways; the database holds the id
    the kiosk's classifier takes out of the code, so that is what is stored
    and looked up.
    """
    if not isinstance(value, str):
        return value
    try:
        scan = classifier.classify(value)
    except InvalidInput:
        return value
    return str(scan.value) if scan.kind == BADGE else value


def classifier_for(patterns: PatternsConfig) -> Classifier:
    """The classifier the kiosk builds from ``[kiosk.patterns]`` (as the daemon's wiring does)."""
    return Classifier(**asdict(patterns))


# -- what to print, read from the database -------------------------------------------------


def slot_labels(conn: sqlite3.Connection, codes: LabelCodes, cases: list[str]) -> list[Label]:
    """Every slot of ``cases`` (all cases when empty), in case and position order."""
    names = [validate.case_name(c) for c in cases]
    if names:
        listing = [pair for name in names for pair in slots.list_slots(conn, name)]
    else:
        listing = slots.list_slots(conn)
    return [codes.for_slot(ref) for ref, _ in listing]


def badge_labels(conn: sqlite3.Connection, codes: LabelCodes, badges: list[str]) -> list[Label]:
    """The named people (a scanned ``BADGE:`` code works too), or everyone."""
    if badges:
        ids = [validate.badge(reduce_badge(codes.classifier, b)) for b in badges]
        chosen = [people.person(conn, b) for b in ids]
    else:
        chosen = people.people(conn)
    return [codes.for_badge(p.badge, p.name) for p in chosen]


def asset_labels(conn: sqlite3.Connection, codes: LabelCodes, tags: list[str]) -> list[Label]:
    """The named assets, or every asset not retired."""
    if tags:
        chosen = [assets.get(conn, validate.tag(t)) for t in tags]
    else:
        chosen = [a for a in assets.listing(conn) if a.status != "RETIRED"]
    return [codes.for_asset(a.tag, a.name, a.model) for a in chosen]


def nothing_to_print(what: str) -> NotFound:
    return NotFound(f"no {what} to print", code="nothing_to_print")
