"""What the kiosk says on the OLED, for each step of :mod:`kiosk.flow.interaction`.

The panel is 128x64 pixels: a title, up to four lines of data and an action
line ("Confirm / Cancel", "Scan your badge") that is never cut. Data lines
are wrapped here at :data:`WIDTH` columns (display columns: a CJK character
takes two) and cut at :data:`LINES`, so what the status command reports is
what fits on the glass.

Text from a barcode or a database row is made visible once, here
(:func:`kiosk.sanitize.visible`: a control character shows as ``\\x1b``),
and nowhere else: the panel and the status command show these lines as
they are.

Every screen that stops the person says what blocks them *and* what to do
next: the blocker in the lines, the next step on the action line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.operations import Plan
from kiosk.domain.types import SlotRef
from kiosk.errors import ChangedSincePreview, KioskError, NotFound, StorageBusy, StorageFull
from kiosk.flow.screen import Screen
from kiosk.sanitize import char_width, shorten, visible, width

WIDTH = 21
LINES = 4
HINT = "Confirm / Cancel"

#: Next steps, short enough for the action line.
NEXT_SLOT = "Scan slot, or Cancel"
NEXT_BADGE = "Scan badge, or Cancel"
NEXT_TAG = "Scan tag, or Cancel"
RESCAN = "Scan the tag again"
ASK_STAFF = "Cancel; ask staff"
SCAN_A_TAG = "Scan an asset tag"

#: The next step after a hard stop, by its code (see ``kiosk.domain``).
NEXT_BY_CODE = {
    "slot_occupied": NEXT_SLOT,
    "slot_changed": NEXT_SLOT,
    "slot_is_home": NEXT_SLOT,
    "no_home": NEXT_SLOT,
    "no_free_slot": ASK_STAFF,
    "overdue": "Return it, or Cancel",
}


def _wrap(text: str) -> list[str]:
    """``text`` broken at spaces into lines of at most WIDTH columns."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while width(word) > WIDTH:  # a word longer than a line: break it
            room = WIDTH - width(line) - (1 if line else 0)
            if room < 4:
                lines.append(line)
                line, room = "", WIDTH
            cut, used = 0, 0
            while cut < len(word) and used + char_width(word[cut]) <= room:
                used += char_width(word[cut])
                cut += 1
            line = f"{line} {word[:cut]}" if line else word[:cut]
            lines.append(line)
            line, word = "", word[cut:]
        candidate = f"{line} {word}" if line else word
        if width(candidate) <= WIDTH:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def _lines(*texts: str) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        out.extend(_wrap(visible(text)))
    if len(out) > LINES:
        out = out[: LINES - 1] + [shorten(" ".join(out[LINES - 1 :]), WIDTH)]
    return tuple(out)


def _screen(kind: str, title: str, texts: Iterable[str], action: str) -> Screen:
    return Screen(kind, visible(title), _lines(*texts), visible(action))


def idle(counts: Mapping[str, int], note: str | None = None) -> Screen:
    """Waiting for a scan; ``note`` (e.g. "Cancelled") heads it for a few seconds."""
    total = sum(counts.values())
    out = counts.get("IN_CUSTODY", 0)
    summary = f"{total} assets, {out} out" if counts else "database unavailable"
    if note:
        return _screen("idle", note, ("nothing changed", summary), "Scan an asset")
    return _screen("idle", "Scan an asset", (summary,), "")


def await_badge(tag: str, slot: SlotRef, notices: Iterable[str] = ()) -> Screen:
    return _screen("preview", "Stock out", (f"{tag} from {slot}", *notices), "Scan your badge")


def await_slot(tag: str, free: SlotRef | None) -> Screen:
    """A new asset under ``intake = "slot"``: its slot label places it."""
    hint = f"e.g. {free} (lit)" if free is not None else "no free slot now"
    return _screen("preview", "New asset", (tag, hint), "Scan its slot label")


def overdue_notice(name: str, overdue: Iterable[tuple[str, int]]) -> str:
    """``Alice Ng: LT-0103 overdue 3 d`` (all of them, most overdue first)."""
    items = sorted(overdue, key=lambda item: -item[1])
    return f"{name}: " + ", ".join(f"{tag} overdue {days} d" for tag, days in items)


def stock_in_words(plan: Plan, last_op: str | None = None) -> str:
    """What a stock-in is, in words: who returns it, or where it comes back from."""
    status = plan.before.status if plan.before else ""
    if status == "IN_CUSTODY":
        return f"returned by {plan.person_name}" if plan.person_name else "returned"
    if status == "REPAIR":
        return "back from repair"
    if status == "LOST" or last_op == "found":
        return "found"
    return "put away"


def preview(plan: Plan, notices: Iterable[str] = (), last_op: str | None = None) -> Screen:
    if isinstance(plan.request, StockOut):
        due = f"due {plan.request.due}" if plan.request.due else ""
        body = (f"{plan.tag} -> {plan.person_name}", f"from {plan.from_slot}", *notices)
        return _screen("confirm", "Stock out", (*body, *([due] if due else [])), HINT)
    if isinstance(plan.request, StockIn):
        words = stock_in_words(plan, last_op)
        return _screen("confirm", "Stock in", (f"{plan.tag} {words}", f"into {plan.to_slot}"), HINT)
    return _screen("confirm", "New asset", (f"{plan.tag}", f"into {plan.to_slot}"), HINT)


def success(plan: Plan) -> Screen:
    body: tuple[str, ...]
    if isinstance(plan.request, StockOut):
        due = (f"due {plan.request.due}",) if plan.request.due else ()
        body = (f"{plan.tag} -> {plan.person_name}", f"taken from {plan.from_slot}", *due)
    elif plan.to_slot is not None:
        body = (f"{plan.tag} in {plan.to_slot}",)
    else:
        body = (plan.summary,)
    return _screen("success", "Done", body, "")


def conflict(title: str, message: str, action: str, kind: str = "conflict") -> Screen:
    """A hard stop: ``message`` names the blocker, ``action`` the next step."""
    return _screen(kind, title, (message,), action)


def blocked(title: str, error: KioskError, op: str) -> Screen:
    """A plan refused at preview; the next step follows from the refusal and the step."""
    code = error.code
    if code in NEXT_BY_CODE:
        action = NEXT_BY_CODE[code]
    elif isinstance(error, NotFound) and op == "stock_out":
        action = NEXT_BADGE  # an unknown badge: the tag was fine
    else:
        action = NEXT_TAG
    return conflict(title, error.message, action)


#: A refused commit: the title says what happened, the action what to do about it.
REFUSED: tuple[tuple[type[KioskError], str, str], ...] = (
    (ChangedSincePreview, "Changed meanwhile", RESCAN),
    (StorageBusy, "Busy, try again", RESCAN),
    (StorageFull, "Storage full", ASK_STAFF),
)


def refused(error: KioskError) -> Screen:
    """Confirm was pressed but the commit was refused; nothing was written."""
    title, action = next(
        ((t, a) for kind, t, a in REFUSED if isinstance(error, kind)), ("Not done", ASK_STAFF)
    )
    return conflict(title, error.message, action)


def note(screen: Screen, text: str) -> Screen:
    """``screen`` with its action line replaced by ``text``, after a stray input."""
    return Screen(screen.kind, screen.title, screen.lines, visible(text))


def headed(screen: Screen, text: str) -> Screen:
    """``screen`` with ``text`` as its first line ("Changed meanwhile"), the action kept."""
    return Screen(screen.kind, screen.title, (visible(text), *screen.lines), screen.action)


def screen_text(screen: Screen) -> list[str]:
    """The title, the lines and the action, as the status command reports them."""
    return [screen.title, *screen.lines, *([screen.action] if screen.action else [])]
