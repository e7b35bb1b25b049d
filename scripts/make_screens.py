"""Render every kiosk screen, as a person meets it, to docs/screens/*.png.

The screens come from the story in kiosk.ops.screens (the real state machine
over a demo database) and the real renderer (kiosk.flow.panel), so the
pictures in the README are what the OLED shows -- and what
``assettrack hw display test`` cycles through.
Run: .venv/bin/python scripts/make_screens.py [DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from kiosk.flow import panel
from kiosk.ops.screens import tour

OUT = Path(__file__).resolve().parents[1] / "docs" / "screens"
SCALE = 3  # 128x64 is tiny on a web page


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, view in tour():
        image = panel.render(view.screen).convert("L")
        image = image.resize((image.width * SCALE, image.height * SCALE), Image.NEAREST)
        image.save(out / f"{name}.png", optimize=True)
        lines = panel.text_lines(view.screen)
        print(f"{name}: {view.state:<11} {' | '.join(lines)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
