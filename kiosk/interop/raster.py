"""A reportlab label drawing as a 1-bit image, for label printers that take PNGs.

reportlab's own bitmap renderer now needs cairo; a label holds only what a
barcode widget emits (filled rectangles, possibly transformed) and centred
lines of text, which Pillow draws exactly. Coordinates are snapped to whole
printer dots so that bars keep their widths.
"""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw, ImageFont


def rasterise(drawing: Any, dpi: int) -> Image.Image:
    """``drawing`` (in points) as a black-on-white image at ``dpi``."""
    from reportlab.graphics.shapes import Group, Rect, String, mmult

    scale = dpi / 72
    width, height = round(drawing.width * scale), round(drawing.height * scale)
    image = Image.new("1", (width, height), 1)
    pen = ImageDraw.Draw(image)

    def point(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
        px = (m[0] * x + m[2] * y + m[4]) * scale
        py = (m[1] * x + m[3] * y + m[5]) * scale
        return px, height - py

    def walk(node: Any, m: tuple[float, ...]) -> None:
        if isinstance(node, Group):
            inner = mmult(m, node.transform) if node.transform else m
            for child in node.contents:
                walk(child, inner)
        elif isinstance(node, Rect):
            if node.fillColor is None or node.width == 0 or node.height == 0:
                return
            (x0, y0), (x1, y1) = (
                point(m, node.x, node.y),
                point(m, node.x + node.width, node.y + node.height),
            )
            left, right = round(min(x0, x1)), round(max(x0, x1))
            top, bottom = round(min(y0, y1)), round(max(y0, y1))
            if right > left and bottom > top:
                pen.rectangle((left, top, right - 1, bottom - 1), fill=0)
        elif isinstance(node, String):
            size = max(1, round(node.fontSize * scale))
            font = ImageFont.load_default(size=size)
            x, y = point(m, node.x, node.y)
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}.get(node.textAnchor, "ls")
            pen.text((x, y), node.text, font=font, fill=0, anchor=anchor)

    walk(drawing.expandUserNodes(), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    return image
