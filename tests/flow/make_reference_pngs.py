"""Write the reference PNGs the screen tests compare against.

Run after an intended change to the screens, look at every image, then
commit them::

    .venv/bin/python -m tests.flow.make_reference_pngs
"""

from __future__ import annotations

from pathlib import Path

from kiosk.flow.panel import render
from kiosk.flow.screen import Screen
from kiosk.ops.screens import tour

HERE = Path(__file__).resolve().parent / "screens"


def _first_of_each_kind() -> dict[str, Screen]:
    """The first screen of each kind the kiosk shows, from the README's story."""
    kinds: dict[str, Screen] = {}
    for _, view in tour():
        kinds.setdefault(view.screen.kind, view.screen)
    return kinds


#: name -> (screen, width, height). One per kind, plus the overflow cases.
SAMPLES: dict[str, tuple[Screen, int, int]] = {
    **{kind: (screen, 128, 64) for kind, screen in _first_of_each_kind().items()},
    "busy": (Screen("busy", "Working...", ()), 128, 64),
    "long-name": (
        Screen(
            "confirm",
            "Stock out",
            ("LT-0101 -> Maximiliana Wilhelmina Alexandra Okafor-Ng", "from CART-A:1"),
            "Confirm / Cancel",
        ),
        128,
        64,
    ),
    "overflow": (
        Screen(
            "preview",
            "Check out LT-2024-EXTREMELY-LONG-TAG-000042",
            (
                "Lenovo ThinkPad X1 Carbon Gen 12 (long model name)",
                "ctl\x1b[2J",
                "line 3",
                "line 4",
                "line 5",
                "line 6",
                "line 7",
            ),
        ),
        128,
        64,
    ),
    "small-128x32": (
        Screen("confirm", "Stock in", ("LT-0103 into CART-A:3", "second line"), "Confirm / Cancel"),
        128,
        32,
    ),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, (screen, width, height) in SAMPLES.items():
        render(screen, width, height).save(HERE / f"{name}.png", format="PNG")
        print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
