"""What the kiosk says on the OLED, for each step of :mod:`kiosk.flow.interaction`.

The panel is 128x64 pixels: a title and four short lines. Lines are wrapped
here at :data:`WIDTH` characters and cut at :data:`LINES`, so what the status
command reports is exactly what fits on the glass. Everything that came from
a barcode or a database row goes through :func:`kiosk.sanitize.clean`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from kiosk.domain.custody import StockIn, StockOut
from kiosk.domain.operations import Plan
from kiosk.domain.types import SlotRef
from kiosk.errors import ChangedSincePreview, KioskError, StorageBusy, StorageFull
from kiosk.flow.screen import Screen
from kiosk.sanitize import clean, shorten

WIDTH = 21
LINES = 4
HINT = "Confirm / Cancel"


def _lines(*texts: str) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        out.extend(textwrap.wrap(clean(text), WIDTH) or [""])
    if len(out) > LINES:
        out = out[: LINES - 1] + [shorten(" ".join(out[LINES - 1 :]), WIDTH)]
    return tuple(out)


def idle(counts: Mapping[str, int]) -> Screen:
    total = sum(counts.values())
    out = counts.get("IN_CUSTODY", 0)
    summary = f"{total} assets, {out} out" if counts else "database unavailable"
    return Screen("idle", "Scan an asset", _lines(summary))


def await_badge(tag: str, slot: SlotRef) -> Screen:
    return Screen("preview", "Stock out", _lines(f"{tag} from {slot}", "Scan your badge"))


def preview(plan: Plan) -> Screen:
    if isinstance(plan.request, StockOut):
        body = (f"{plan.tag} -> {plan.person_name}", f"from {plan.from_slot}")
        return Screen("confirm", "Stock out", _lines(*body, HINT))
    if isinstance(plan.request, StockIn):
        holder = plan.person_name or (plan.before.status if plan.before else "")
        body = (f"{plan.tag} <- {holder}", f"into {plan.to_slot}")
        return Screen("confirm", "Stock in", _lines(*body, HINT))
    return Screen("confirm", "New asset", _lines(f"{plan.tag}", f"into {plan.to_slot}", HINT))


def success(plan: Plan) -> Screen:
    body: tuple[str, ...]
    if isinstance(plan.request, StockOut):
        body = (f"{plan.tag} -> {plan.person_name}", f"taken from {plan.from_slot}")
    elif plan.to_slot is not None:
        body = (f"{plan.tag} in {plan.to_slot}",)
    else:
        body = (plan.summary,)
    return Screen("success", "Done", _lines(*body))


def conflict(title: str, message: str, kind: str = "conflict") -> Screen:
    return Screen(kind, title, _lines(message))


#: The title of a refused commit says what to do about it; the message says why.
REFUSED_TITLES: tuple[tuple[type[KioskError], str], ...] = (
    (ChangedSincePreview, "Changed meanwhile"),
    (StorageBusy, "Busy, try again"),
    (StorageFull, "Storage full"),
)


def refused(error: KioskError) -> Screen:
    """Confirm was pressed but the commit was refused; nothing was written."""
    title = next((t for kind, t in REFUSED_TITLES if isinstance(error, kind)), "Not done")
    return conflict(title, error.message)


def note(screen: Screen, text: str) -> Screen:
    """``screen`` with its last line (the hint) replaced by ``text``, after a stray input."""
    kept = screen.lines[:-1][: LINES - 1]
    return Screen(screen.kind, screen.title, (*kept, shorten(clean(text), WIDTH)))


def screen_text(screen: Screen) -> list[str]:
    """The title and the lines, as the status command reports them."""
    return [screen.title, *screen.lines]
