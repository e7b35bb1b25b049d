"""The barcode symbols of a label, from reportlab, in the two forms it draws them.

A label's symbol is drawn straight onto the PDF canvas by reportlab's
barcode *flowable* (fast: 500 labels in well under a second), and for a PNG
by the matching *widget*, whose shapes :mod:`kiosk.interop.raster` turns into
pixels. Both are built here from the same parameters, so the PDF and the PNG
carry the same bars.

The one correction to reportlab is its ECC 200 Data Matrix C40 encoder (see
:class:`_C40`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: --symbology name -> what the symbol is called in messages.
SYMBOLOGIES = {"code128": "Code 128", "qr": "QR", "datamatrix": "Data Matrix"}

# Data Matrix wants one module of quiet zone around the 44 x 44 symbol.
DM_MODULES = 44 + 2


class _C40:
    """ISO/IEC 16022's C40 encoding, where reportlab 5.1 strays from it.

    reportlab numbers the Shift 2 set as one run from ``!`` to ``@``, so
    ``:;<=>?@`` come out as other characters (``SLOT:A:1`` reads back as
    ``SLOT^A^1``); the standard has 0-14 = ``!`` to ``/``, 15-21 = ``:`` to
    ``@``, 22-26 = ``[`` to ``_``. And it pads an unfinished last triple with
    Shift 1 values, which readers return as a trailing space; here the
    characters after the last whole triple go in ASCII mode after the C40
    unlatch, as the standard describes.
    """

    cw_data: int

    def _encode_c40_char(self, char: str) -> list[int]:
        o = ord(char)
        if 58 <= o <= 64:
            return [1, o - 43]
        return list(super()._encode_c40_char(char))  # type: ignore[misc]

    def _encode_c40(self, value: str) -> list[int]:
        values: list[int] = []
        whole, cut = 0, 0
        for i, char in enumerate(value):
            values += self._encode_c40_char(char)
            if len(values) % 3 == 0:
                whole, cut = len(values), i + 1
        words: list[int] = []
        if whole:
            words.append(230)  # latch to C40
            for i in range(0, whole, 3):
                total = values[i] * 1600 + values[i + 1] * 40 + values[i + 2] + 1
                words += [total // 256, total % 256]
            words.append(254)  # unlatch to ASCII
        for char in value[cut:]:
            o = ord(char)
            words += [o + 1] if o < 128 else [235, o - 127]  # 235: upper shift
        if len(words) > self.cw_data:
            raise ValueError("too long for a 44 x 44 Data Matrix")
        if len(words) < self.cw_data:
            words.append(129)  # the first pad, then the standard's pseudo-random pads
            while len(words) < self.cw_data:
                r = ((149 * (len(words) + 1)) % 253) + 1
                words.append((129 + r) % 254)
        return words


@dataclass(frozen=True)
class Symbol:
    """One barcode, sized: ``width`` x ``height`` points, its quiet zone included."""

    symbology: str
    value: str
    width: float
    height: float
    module: float  # Code 128: bar width; Data Matrix: module size; QR: unused

    def flowable(self) -> Any:
        """reportlab's flowable for the PDF canvas (``drawOn(canvas, x, y)``)."""
        if self.symbology == "code128":
            from reportlab.graphics.barcode.code128 import Code128

            return Code128(
                self.value, barWidth=self.module, barHeight=self.height, quiet=0, humanReadable=0
            )
        if self.symbology == "qr":
            from reportlab.graphics.barcode.qr import QrCode

            return QrCode(self.value, width=self.width, height=self.height)
        return _Offset(_datamatrix_flowable(self.value, self.module), self.module)

    def widget(self) -> Any:
        """reportlab's widget for the same symbol, as shapes in a Group at (0, 0)."""
        from reportlab.graphics.shapes import Group

        if self.symbology == "code128":
            from reportlab.graphics.barcode.widgets import BarcodeCode128

            w = BarcodeCode128(
                value=self.value,
                barWidth=self.module,
                barHeight=self.height,
                quiet=0,
                humanReadable=0,
            )
            return Group(w)
        if self.symbology == "qr":
            from reportlab.graphics.barcode.qr import QrCodeWidget

            return Group(QrCodeWidget(self.value, barWidth=self.width, barHeight=self.height))
        from reportlab.graphics.barcode.widgets import BarcodeECC200DataMatrix

        class DataMatrixWidget(_C40, BarcodeECC200DataMatrix):  # type: ignore[misc]
            pass

        group = Group(DataMatrixWidget(value=self.value, barWidth=self.module))
        group.translate(self.module, self.module)
        return group


def sized(symbology: str, value: str, box_w: float, box_h: float, max_module: float) -> Symbol:
    """The symbol for ``value`` as large as fits ``box_w`` x ``box_h`` points.

    Raises ValueError when reportlab cannot encode ``value`` in ``symbology``.
    """
    if symbology == "code128":
        from reportlab.graphics.barcode.code128 import Code128

        natural = Code128(value, barWidth=1, quiet=0).width
        module = min(max_module, box_w / (natural + 2 * QUIET_MODULES))
        return Symbol(symbology, value, natural * module, box_h, module)
    side = min(box_w, box_h)
    if symbology == "datamatrix":
        _datamatrix_flowable(value, 1.0)  # encodes now: too long or not Latin-1 fails here
        return Symbol(symbology, value, side, side, side / DM_MODULES)
    return Symbol(symbology, value, side, side, 0.0)


# Code 128 wants a quiet zone of ten modules each side.
QUIET_MODULES = 10


def _datamatrix_flowable(value: str, module: float) -> Any:
    from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix

    class DataMatrix(_C40, ECC200DataMatrix):  # type: ignore[misc]
        pass

    code = DataMatrix(value=value, barWidth=module)
    code.validate()
    if not code.valid:
        raise ValueError("only Latin-1 characters fit a Data Matrix code")
    code.encode()
    code.x = code.y = 0  # its draw() offsets by these; the flowable's drawOn places it
    return code


class _Offset:
    """A flowable drawn one quiet-zone module in from its corner."""

    def __init__(self, inner: Any, margin: float) -> None:
        self.inner, self.margin = inner, margin

    def drawOn(self, canvas: Any, x: float, y: float) -> None:  # noqa: N802 (reportlab's name)
        self.inner.drawOn(canvas, x + self.margin, y + self.margin)
