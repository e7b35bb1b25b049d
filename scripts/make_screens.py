"""Render every kiosk screen, as a person meets it, to docs/screens/*.png.

The screens come from the real state machine (kiosk.flow.interaction) driven
over the demo database, and the real renderer (kiosk.flow.panel), so the pictures in
the README are what the OLED shows. Run: .venv/bin/python scripts/make_screens.py [DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

from kiosk.domain.custody import StockOut
from kiosk.domain.operations import execute
from kiosk.flow import panel
from kiosk.flow.db_port import DbPort, settle
from kiosk.flow.interaction import Interaction
from kiosk.ops import demo
from kiosk.store.db import Database

OUT = Path(__file__).resolve().parents[1] / "docs" / "screens"
SCALE = 3  # 128x64 is tiny on a web page

# (file name, what happens before the picture is taken)
STORY = [
    ("01-idle", []),
    ("02-stock-out-badge", [("scan", "LT-0101")]),
    ("03-stock-out-preview", [("scan", "BADGE:0043")]),
    ("04-stock-out-done", [("confirm",)]),
    ("05-stock-in-preview", [("cancel",), ("scan", "LT-0103")]),
    ("06-stock-in-done", [("confirm",)]),
    ("07-intake-preview", [("cancel",), ("scan", "LT-0999")]),
    ("08-conflict-slot-taken", [("scan", "SLOT:CART-A:2")]),
    ("09-unknown-badge", [("cancel",), ("scan", "LT-0102"), ("scan", "BADGE:9999")]),
    (
        "10-changed-since-preview",
        [
            ("cancel",),
            ("scan", "LT-0201"),
            ("scan", "BADGE:0044"),
            ("cli-stock-out", "LT-0201"),
            ("confirm",),
        ],
    ),
]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "demo.db")
        demo.seed(db)
        port = DbPort(db)
        machine = Interaction(port)
        now = 0.0
        for name, steps in STORY:
            for step in steps:
                now += 1.0
                if step[0] == "scan":
                    settle(machine, port, machine.scan(step[1], now), now=now)
                elif step[0] == "confirm":
                    settle(machine, port, machine.confirm(now), now=now)
                elif step[0] == "cancel":
                    machine.cancel(now)
                elif step[0] == "cli-stock-out":
                    execute(db, StockOut(tag=step[1], badge="0042"), actor="cli")
            image = panel.render(machine.view.screen).convert("L")
            image = image.resize((image.width * SCALE, image.height * SCALE), Image.NEAREST)
            image.save(out / f"{name}.png", optimize=True)
            print(f"{name}: {machine.view.state:<11} {' | '.join(machine.view.screen.lines)}")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
