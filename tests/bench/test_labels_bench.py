"""Label sheets: 500 Code 128 labels as a PDF (target: under 2 s on the Pi's class of machine).

The baseline, measured in the same run, is reportlab alone drawing the same
500 Code 128 symbols and their words onto a canvas, with no sheet geometry,
no fitting and no check by the classifier: the least any label sheet can
cost. The layout may cost at most half as much again.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.domain.types import SlotRef
from kiosk.interop.labels import SHEETS, Layout, write_pdf
from kiosk.ops.codes import LabelCodes

pytestmark = pytest.mark.bench
COUNT = 500


def test_500_labels(tmp_path: Path) -> None:
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.pdfgen import canvas

    codes = LabelCodes()
    start = time.perf_counter()
    labels = [codes.for_slot(SlotRef(f"CART-{i // 50}", i % 50 + 1)) for i in range(COUNT)]
    built = time.perf_counter()
    pages = write_pdf(labels, Layout(SHEETS["avery-l7163"], "code128"), tmp_path / "l.pdf")
    done = time.perf_counter()

    base = time.perf_counter()
    pdf = canvas.Canvas(str(tmp_path / "base.pdf"))
    for i, label in enumerate(labels):
        if i and i % 14 == 0:
            pdf.showPage()
        Code128(label.code, barHeight=30, quiet=0, humanReadable=0).drawOn(
            pdf, 20, 20 + i % 14 * 50
        )
        pdf.drawCentredString(100, 10 + i % 14 * 50, label.lines[0])
    pdf.save()
    baseline = time.perf_counter() - base

    total = done - start
    print(
        f"\n  {COUNT} labels, {pages} pages: codes {built - start:.3f} s, "
        f"sheet {done - built:.3f} s, total {total:.3f} s; "
        f"bare reportlab {baseline:.3f} s ({total / baseline:.2f}x)"
    )
    assert total < 1.5 * baseline
