"""Write the reference PNGs the screen tests compare against.

Run after an intended change to the screens, look at every image, then
commit them::

    .venv/bin/python -m tests.hw.make_reference_pngs
"""

from __future__ import annotations

from pathlib import Path

from hw.screens import render
from kiosk.screen import Screen

HERE = Path(__file__).resolve().parent / "screens"

#: name -> (screen, width, height). One per kind, plus the overflow cases.
SAMPLES: dict[str, tuple[Screen, int, int]] = {
    "idle": (Screen("idle", "AssetTrack", ("Scan a laptop tag", "or a slot label")), 128, 64),
    "preview": (Screen("preview", "Check in LT-0193", ("Dell Latitude 7440", "into CART-A:4",
                                                       "Scan slot to change")), 128, 64),
    "confirm": (Screen("confirm", "Confirm check-in?", ("LT-0193 -> CART-A:4",
                                                        "Confirm: green button", "Cancel: red")),
                128, 64),
    "conflict": (Screen("conflict", "Slot taken", ("CART-A:4 has LT-0200", "Scan another slot")),
                 128, 64),
    "error": (Screen("error", "Unknown tag", ("LT-9999 is not", "registered")), 128, 64),
    "success": (Screen("success", "Checked in", ("LT-0193 in CART-A:4",)), 128, 64),
    "busy": (Screen("busy", "Working...", ()), 128, 64),
    "overflow": (Screen("preview", "Check out LT-2024-EXTREMELY-LONG-TAG-000042",
                        ("Lenovo ThinkPad X1 Carbon Gen 12 (long model name)",
                         "ctl\x1b[2J", "line 3", "line 4", "line 5", "line 6", "line 7")), 128, 64),
    "small-128x32": (Screen("confirm", "Confirm?", ("LT-0193 -> CART-A:4", "second line")),
                     128, 32),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, (screen, width, height) in SAMPLES.items():
        render(screen, width, height).save(HERE / f"{name}.png", format="PNG")
        print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
