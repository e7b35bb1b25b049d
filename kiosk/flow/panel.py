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
    | line 2                         |  as many data lines as fit (4 here)
    | ...                            |
    | Confirm / Cancel               |  the action line: always on the bottom row
    +--------------------------------+

Text never overflows silently: a line too wide ends in ``...``, and when
there are more lines than room, the last data line ends with how many are
hidden, e.g. ``(+2)``. The action line is never the one cut: data gives way.

Characters the bitmap font lacks (it is Latin-1) are drawn with the first
font on the system that has them (:data:`FALLBACK_FONTS`: Noto CJK,
WenQuanYi, Droid Sans Fallback, DejaVu Sans), written as their base letter
when they are an accented one (``ř`` as ``r``), and otherwise drawn as an
empty box as wide as the character: visibly something, never a ``?`` that
reads like a typo. Text is made visible here (control characters shown
escaped) only if it is not already: :func:`kiosk.sanitize.visible` leaves
the escapes made by :mod:`kiosk.flow.wording` alone.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont

from kiosk.flow.screen import Screen
from kiosk.sanitize import char_width, visible

LINE_HEIGHT = 10  # the font is 11 high with a blank top row: lines may touch
TITLE_HEIGHT = 12
ICON = 10
ELLIPSIS = "..."
CELL = 6  # the bitmap font's advance: a box for a missing glyph is CELL per column
#: Kinds whose title bar is drawn inverted: the person must not miss them.
EMPHASIS = ("conflict", "error")
#: Fonts tried, in order, for what the bitmap font lacks (the first that has the glyph).
FALLBACK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
FALLBACK_SIZE = 10
_NOT_A_CHAR = "\U0010fffd"  # a private-use code point no font draws: its .notdef glyph

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont
#: A run of text drawn with one font (None: a box per character) and its width in pixels.
Piece = tuple[str, Font | None, int]


@functools.cache
def font() -> ImageFont.ImageFont:  # the bitmap font is an ImageFont, not a FreeTypeFont
    """The bitmap font, loaded once.

    Pillow 10.1 made ``load_default()`` return a scalable font and named the
    bitmap one ``load_default_imagefont()``; before it (Debian Bookworm's
    9.4, which the installed kiosk uses) ``load_default()`` is the bitmap font.
    """
    if hasattr(ImageFont, "load_default_imagefont"):
        return ImageFont.load_default_imagefont()
    legacy = ImageFont.load_default()
    if not isinstance(legacy, ImageFont.ImageFont):
        raise RuntimeError(f"Pillow {PIL.__version__} has no bitmap default font")
    return legacy


@functools.cache
def fallback_fonts(paths: tuple[str, ...] = FALLBACK_FONTS) -> tuple[ImageFont.FreeTypeFont, ...]:
    """The fallback fonts this system has, loaded once."""
    found = []
    for path in paths:
        if Path(path).is_file():
            try:
                found.append(ImageFont.truetype(path, FALLBACK_SIZE))
            except OSError:
                continue  # unreadable or not a font: try the next
    return tuple(found)


@functools.cache
def _font_for(ch: str) -> ImageFont.FreeTypeFont | None:
    for f in fallback_fonts():
        # A font without the glyph draws its .notdef box: compare with that.
        if bytes(f.getmask(ch)) != bytes(f.getmask(_NOT_A_CHAR)):
            return f
    return None


def _base_letter(ch: str) -> str | None:
    """``r`` for ``ř``: the Latin-1 letter under the accents, if there is one."""
    base = unicodedata.normalize("NFKD", ch)
    latin = bool(base) and ord(base[0]) < 256 and base[0].isprintable()
    if latin and all(unicodedata.combining(c) for c in base[1:]):
        return base[0]
    return None


def _pieces(text: str) -> list[Piece]:
    """``text`` as runs to draw: bitmap text, fallback-font glyphs and boxes."""
    pieces: list[Piece] = []
    run = ""
    for ch in visible(text):
        base = ch if ord(ch) < 256 else _base_letter(ch)
        if base is not None:
            run += base
            continue
        if run:
            pieces.append((run, font(), int(font().getlength(run))))
            run = ""
        other = _font_for(ch)
        if other is not None:
            pieces.append((ch, other, int(other.getlength(ch)) + 1))
        else:
            pieces.append((ch, None, CELL * max(char_width(ch), 1)))
    if run:
        pieces.append((run, font(), int(font().getlength(run))))
    return pieces


def measure(text: str) -> int:
    """Width of ``text`` in pixels, as :func:`draw_text` draws it."""
    return sum(w for _, _, w in _pieces(text))


def draw_text(draw: ImageDraw.ImageDraw, x: int, y: int, text: str, ink: int) -> None:
    """Draw ``text`` at (x, y) with the bitmap font and, where it lacks a glyph, a fallback."""
    for chunk, f, w in _pieces(text):
        if f is font():
            draw.text((x, y), chunk, font=f, fill=ink)
        elif f is not None:
            draw.text((x, y - 1), chunk, font=f, fill=ink)
        else:
            draw.rectangle((x, y + 2, x + w - 2, y + 9), outline=ink)
        x += w


def fit(text: str, width_px: int) -> str:
    """``text`` cut to ``width_px`` pixels, ending in ``...`` when cut."""
    text = visible(text)
    if measure(text) <= width_px:
        return text
    while text and measure(text + ELLIPSIS) > width_px:
        text = text[:-1]
    return text + ELLIPSIS


def text_lines(screen: Screen, width: int = 128, height: int = 64) -> list[str]:
    """The text as drawn: the fitted title, the fitted data lines, then the action line."""
    room = max((height - TITLE_HEIGHT) // LINE_HEIGHT, 0)
    data_room = room - 1 if screen.action and room else room
    title = fit(screen.title, width - ICON - 3)
    body = [fit(line, width - 2) for line in screen.lines[:data_room]]
    hidden = len(screen.lines) - data_room
    if hidden > 0 and data_room:
        # Say so on the last line rather than drop lines without a trace.
        suffix = f" (+{hidden})"
        body[-1] = fit(screen.lines[data_room - 1], width - 2 - measure(suffix)) + suffix
    action = [fit(screen.action, width - 2)] if screen.action and room else []
    return [title, *body, *action]


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
    draw_text(draw, ICON + 3, 0, lines[0], ink)
    rows = lines[1:]
    bottom = (height - TITLE_HEIGHT) // LINE_HEIGHT - 1
    for i, line in enumerate(rows):
        # The action line sits on the bottom row, however few data lines there are.
        row = bottom if screen.action and i == len(rows) - 1 else i
        draw_text(draw, 1, TITLE_HEIGHT + row * LINE_HEIGHT, line, 1)
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
