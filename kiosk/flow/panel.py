"""Screens as pure functions: a :class:`~kiosk.flow.screen.Screen` in, a PIL image out.

Nothing here touches a device (that is :mod:`hw.display`, which shows any
frame), so every screen can be checked pixel for pixel against a reference
PNG. The font is PIL's built-in bitmap font
(6 x 11 pixels a character): it needs no file, and a bitmap font renders
identically everywhere, which keeps the reference images stable.

Layout on a 128 x 64 panel::

    +--------------------------------+
    |[icon] Title                    |  title bar, inverted for conflict/error
    |--------------------------------|
    | line 1                         |
    | line 2                         |  as many lines as fit (4 here)
    | ...                            |
    +--------------------------------+

Text never overflows silently: a line too wide ends in ``...``, and when
there are more lines than room, the last one ends with how many are hidden,
e.g. ``(+2)``.
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw, ImageFont

from kiosk.flow.screen import Screen
from kiosk.sanitize import clean

LINE_HEIGHT = 10  # the font is 11 high with a blank top row: lines may touch
TITLE_HEIGHT = 12
ICON = 10
ELLIPSIS = "..."
#: Kinds whose title bar is drawn inverted: the person must not miss them.
EMPHASIS = ("conflict", "error")


@functools.cache
def font() -> ImageFont.ImageFont:  # the bitmap font is an ImageFont, not a FreeTypeFont
    """The bitmap font, loaded once."""
    return ImageFont.load_default_imagefont()


def _printable(text: str) -> str:
    # Control characters shown escaped; what the Latin-1 bitmap font lacks becomes "?".
    return "".join(c if ord(c) < 256 else "?" for c in clean(text))


def fit(text: str, width_px: int) -> str:
    """``text`` cut to ``width_px`` pixels, ending in ``...`` when cut."""
    text = _printable(text)
    f = font()
    if f.getlength(text) <= width_px:
        return text
    while text and f.getlength(text + ELLIPSIS) > width_px:
        text = text[:-1]
    return text + ELLIPSIS


def text_lines(screen: Screen, width: int = 128, height: int = 64) -> list[str]:
    """The text as drawn: the fitted title, then the fitted body lines."""
    room = max((height - TITLE_HEIGHT) // LINE_HEIGHT, 0)
    title = fit(screen.title, width - ICON - 3)
    body = [fit(line, width - 2) for line in screen.lines[:room]]
    hidden = len(screen.lines) - room
    if hidden > 0 and room:
        # Say so on the last line rather than drop lines without a trace.
        suffix = f" (+{hidden})"
        body[-1] = fit(screen.lines[room - 1], width - 2 - int(font().getlength(suffix))) + suffix
    return [title] + body


def render(screen: Screen, width: int = 128, height: int = 64) -> Image.Image:
    """Draw ``screen`` as a 1-bit image of ``width`` x ``height`` pixels."""
    image = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(image)
    lines = text_lines(screen, width, height)
    ink = 1
    if screen.kind in EMPHASIS:
        draw.rectangle((0, 0, width - 1, TITLE_HEIGHT - 1), fill=1)
        ink = 0
    else:
        draw.line((0, TITLE_HEIGHT - 1, width - 1, TITLE_HEIGHT - 1), fill=1)
    _ICONS[screen.kind](draw, 1, 1, ink)
    draw.text((ICON + 3, 0), lines[0], font=font(), fill=ink)
    for i, line in enumerate(lines[1:]):
        draw.text((1, TITLE_HEIGHT + i * LINE_HEIGHT), line, font=font(), fill=1)
    return image


# -- 10 x 10 icons drawn from primitives, top-left corner at (x, y) ----------


def _icon_idle(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    for dx in (0, 2, 3, 5, 7, 9):  # a barcode: "scan something"
        d.line((x + dx, y, x + dx, y + 9), fill=ink)


def _icon_preview(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    d.line((x, y + 5, x + 8, y + 5), fill=ink)  # an arrow: "this will happen"
    d.line((x + 5, y + 2, x + 8, y + 5, x + 5, y + 8), fill=ink)


def _icon_confirm(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    d.ellipse((x, y, x + 9, y + 9), outline=ink)  # a round button: "press it"
    d.ellipse((x + 3, y + 3, x + 6, y + 6), fill=ink)


def _icon_conflict(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    d.polygon((x + 4, y, x + 9, y + 9, x, y + 9), outline=ink)  # warning triangle
    d.line((x + 4, y + 3, x + 4, y + 6), fill=ink)
    d.point((x + 4, y + 8), fill=ink)


def _icon_error(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    d.rectangle((x, y, x + 9, y + 9), outline=ink)  # a crossed box
    d.line((x + 2, y + 2, x + 7, y + 7), fill=ink)
    d.line((x + 2, y + 7, x + 7, y + 2), fill=ink)


def _icon_success(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    d.line((x, y + 5, x + 3, y + 8, x + 9, y + 1), fill=ink, width=2)  # a tick


def _icon_busy(d: ImageDraw.ImageDraw, x: int, y: int, ink: int) -> None:
    d.line((x + 1, y, x + 8, y, x + 1, y + 9, x + 8, y + 9, x + 1, y), fill=ink)  # hourglass


_ICONS = {
    "idle": _icon_idle,
    "preview": _icon_preview,
    "confirm": _icon_confirm,
    "conflict": _icon_conflict,
    "error": _icon_error,
    "success": _icon_success,
    "busy": _icon_busy,
}


def examples() -> dict[str, Screen]:
    """One typical screen of each kind: for ``assettrack hw display test`` and the tests."""
    return {
        "idle": Screen("idle", "AssetTrack", ("Scan a laptop tag", "or a slot label")),
        "preview": Screen(
            "preview",
            "Check in LT-0193",
            ("Dell Latitude 7440", "into CART-A:4", "Scan slot to change"),
        ),
        "confirm": Screen(
            "confirm",
            "Confirm check-in?",
            ("LT-0193 -> CART-A:4", "Confirm: green button", "Cancel: red"),
        ),
        "conflict": Screen("conflict", "Slot taken", ("CART-A:4 has LT-0200", "Scan another slot")),
        "error": Screen("error", "Unknown tag", ("LT-9999 is not", "registered")),
        "success": Screen("success", "Checked in", ("LT-0193 in CART-A:4",)),
        "busy": Screen("busy", "Working...", ()),
    }
