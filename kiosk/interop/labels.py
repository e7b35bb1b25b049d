"""Printable label sheets: codes laid out on a sheet preset, as a PDF or one PNG per label.

The symbols come from reportlab (:mod:`kiosk.interop.symbols`: Code 128, QR,
ECC 200 Data Matrix); this module only places each code and the words under
it in its label's cell, once (:meth:`Layout.place`), for both the PDF and
the PNG at the printer's resolution.

Presets (sizes from the label makers' templates):

=============  ======  ==========================================
avery-l7163    A4      2 x 7, 99.1 x 38.1 mm
avery-5160     Letter  3 x 10, 2.625 x 1 in
a4-3x8         A4      3 x 8, 70 x 37.1 mm, no margins
brother-62     tape    62 mm continuous tape, one 62 x 29 mm label a page
=============  ======  ==========================================
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import InvalidInput, KioskError
from kiosk.interop.symbols import SYMBOLOGIES, Symbol, sized
from kiosk.sanitize import clean

MM = 72 / 25.4
INCH = 72.0
A4 = (210 * MM, 297 * MM)
LETTER = (8.5 * INCH, 11 * INCH)

# Bars narrower than about 0.19 mm (two dots of a 300 dpi printer) stop
# scanning reliably; wider than 0.5 mm only makes the symbol long.
MIN_MODULE = 0.19 * MM
MAX_MODULE = 0.5 * MM
PAD = 2 * MM
FONT = "Helvetica"


@dataclass(frozen=True)
class Label:
    """One label: ``code`` goes into the barcode, ``lines`` are printed under it."""

    code: str
    lines: tuple[str, ...]
    #: What the kiosk reads the code as (tag, slot, badge, confirm, cancel).
    kind: str = ""


@dataclass(frozen=True)
class Sheet:
    """A page of equal labels: sizes in points, origin = the first label's top-left corner."""

    summary: str
    page: tuple[float, float]
    cols: int
    rows: int
    label: tuple[float, float]
    origin: tuple[float, float]
    pitch: tuple[float, float]

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def cell(self, index: int) -> tuple[float, float]:
        """The bottom-left corner (PDF coordinates) of label ``index`` on its page."""
        row, col = divmod(index % self.per_page, self.cols)
        x = self.origin[0] + col * self.pitch[0]
        top = self.page[1] - self.origin[1] - row * self.pitch[1]
        return x, top - self.label[1]


SHEETS: dict[str, Sheet] = {
    "avery-l7163": Sheet(
        "A4, 2 x 7 labels of 99.1 x 38.1 mm",
        A4,
        2,
        7,
        (99.1 * MM, 38.1 * MM),
        (4.65 * MM, 15.15 * MM),
        (101.6 * MM, 38.1 * MM),
    ),
    "avery-5160": Sheet(
        "Letter, 3 x 10 labels of 2.625 x 1 in",
        LETTER,
        3,
        10,
        (2.625 * INCH, 1 * INCH),
        (0.1875 * INCH, 0.5 * INCH),
        (2.75 * INCH, 1 * INCH),
    ),
    "a4-3x8": Sheet(
        "A4, 3 x 8 labels of 70 x 37.1 mm, no margins",
        A4,
        3,
        8,
        (70 * MM, 297 / 8 * MM),
        (0, 0),
        (70 * MM, 297 / 8 * MM),
    ),
    "brother-62": Sheet(
        "62 mm continuous tape, one 62 x 29 mm label a page",
        (62 * MM, 29 * MM),
        1,
        1,
        (62 * MM, 29 * MM),
        (0, 0),
        (62 * MM, 29 * MM),
    ),
}


def printable(text: str) -> str:
    """``text`` as the PDF's built-in font can print it, once.

    Control characters are shown escaped (as on a terminal) and characters
    the font lacks become ``?``, visibly, rather than an empty box.
    """
    return clean(text).encode("cp1252", "replace").decode("cp1252")


class Layout:
    """Places labels of one sheet in one symbology: the symbol on top, the words under it."""

    def __init__(self, sheet: Sheet, symbology: str) -> None:
        if symbology not in SYMBOLOGIES:
            raise InvalidInput(
                f"unknown symbology {clean(symbology)}: use {', '.join(SYMBOLOGIES)}"
            )
        self.sheet = sheet
        self.symbology = symbology
        width, height = sheet.label
        self.font_size = max(6.0, min(9.0, height / 9))

    def place(self, label: Label) -> Placed:
        """Where, within its cell, the symbol and each line of words go (points)."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        width, height = self.sheet.label
        size, leading = self.font_size, self.font_size * 1.2
        lines = [printable(line) for line in label.lines if line]
        text_height = len(lines) * leading
        box_w, box_h = width - 2 * PAD, height - 2 * PAD - text_height
        try:
            symbol = sized(self.symbology, label.code, box_w, box_h, MAX_MODULE)
        except ValueError as exc:
            raise InvalidInput(
                f"{clean(label.code)} cannot be a {SYMBOLOGIES[self.symbology]} code: {exc}"
            ) from None
        if self.symbology == "code128" and symbol.module < MIN_MODULE:
            raise InvalidInput(
                f"{clean(label.code)} is too long for a Code 128 label on this sheet: "
                "use --symbology qr or a wider sheet"
            )
        x = (width - symbol.width) / 2
        y = PAD + text_height + (box_h - symbol.height) / 2
        words = tuple(
            (
                width / 2,
                PAD + text_height - (n + 1) * leading + size * 0.25,
                _fit(line, box_w, size, stringWidth),
            )
            for n, line in enumerate(lines)
        )
        return Placed(symbol, x, y, words)

    def draw_pdf(self, label: Label, pdf: Any, x: float, y: float) -> None:
        """Draw ``label`` in the cell whose bottom-left corner is (``x``, ``y``)."""
        placed = self.place(label)
        placed.symbol.flowable().drawOn(pdf, x + placed.x, y + placed.y)
        pdf.setFont(FONT, self.font_size)
        for wx, wy, text in placed.words:
            pdf.drawCentredString(x + wx, y + wy, text)

    def drawing(self, label: Label) -> Any:
        """``label`` as a reportlab ``Drawing`` the size of its cell (for a PNG)."""
        from reportlab.graphics.shapes import Drawing, Group, String

        placed = self.place(label)
        drawing = Drawing(*self.sheet.label)
        symbol = Group(placed.symbol.widget())
        symbol.translate(placed.x, placed.y)
        drawing.add(symbol)
        for wx, wy, text in placed.words:
            drawing.add(
                String(wx, wy, text, fontName=FONT, fontSize=self.font_size, textAnchor="middle")
            )
        return drawing


@dataclass(frozen=True)
class Placed:
    """A label laid out in its cell: the symbol's corner, and each line's centre and text."""

    symbol: Symbol
    x: float
    y: float
    words: tuple[tuple[float, float, str], ...]


def _fit(line: str, width: float, size: float, measure: Any) -> str:
    """``line`` cut with an ellipsis to fit ``width`` points."""
    if measure(line, FONT, size) <= width:
        return line
    while line and measure(line + "\u2026", FONT, size) > width:
        line = line[:-1]
    return line + "\u2026"


def write_pdf(labels: Sequence[Label], layout: Layout, path: Path) -> int:
    """Write the labels to ``path`` (next to it first, then renamed); returns the page count."""
    from reportlab.pdfgen import canvas

    sheet = layout.sheet
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=sheet.page, pageCompression=1)
    pdf.setTitle("AssetTrack labels")
    pages = 0
    for index, label in enumerate(labels):
        if index and index % sheet.per_page == 0:
            pdf.showPage()
        if index % sheet.per_page == 0:
            pages += 1
        layout.draw_pdf(label, pdf, *sheet.cell(index))
    pdf.save()
    _write_file(path, buffer.getvalue())
    return pages


def write_pngs(labels: Sequence[Label], layout: Layout, folder: Path, dpi: int) -> list[Path]:
    """One PNG per label at ``dpi``, named by position and code, in ``folder``."""
    from kiosk.interop.raster import rasterise

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KioskError(f"cannot write {clean(folder)}: {err.strerror}", code="io_error") from None
    written = []
    for n, label in enumerate(labels, 1):
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label.code)[:40]
        path = folder / f"{n:04d}-{safe}.png"
        buffer = io.BytesIO()
        rasterise(layout.drawing(label), dpi).save(buffer, format="PNG", dpi=(dpi, dpi))
        _write_file(path, buffer.getvalue())
        written.append(path)
    return written


def _write_file(path: Path, data: bytes) -> None:
    """Write beside ``path`` and rename: a reader never sees half a sheet."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError as err:
        raise KioskError(f"cannot write {clean(path)}: {err.strerror}", code="io_error") from None
    finally:
        temp.unlink(missing_ok=True)
