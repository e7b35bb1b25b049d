"""A text view of the simulated kiosk for ``make run``: LED rows and the OLED.

:func:`render_frame` is a pure function of what the devices report
(``leds.states()``, ``leds.status_states()``, ``display.ascii()``) and the
time, so it is easy to test; :class:`TerminalWriter` only puts a frame on
the terminal, redrawing in place and only when something changed. This is
where slot names meet the terminal, so they are escaped here.

One row per case, one mark per slot in position order::

    CART-A    1 ##.## ..... ..
    ready #  conflict .

``#`` is on, ``.`` off, and a blinking slot alternates between ``#`` and
``o`` at the configured rate.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from kiosk.sanitize import clean

MARKS = {"on": "#", "off": "."}
BLINK_MARKS = ("#", "o")


def _mark(state: str, phase: int) -> str:
    return BLINK_MARKS[phase] if state == "blink" else MARKS.get(state, "?")


def _by_case(states: Mapping[str, str]) -> dict[str, list[tuple[int, str]]]:
    cases: dict[str, list[tuple[int, str]]] = {}
    for slot, state in states.items():
        case, _, pos = slot.rpartition(":")
        cases.setdefault(case, []).append((int(pos) if pos.isdigit() else 0, state))
    return {case: sorted(slots) for case, slots in cases.items()}


def led_rows(
    states: Mapping[str, str],
    status: Mapping[str, str] | None = None,
    now: float = 0.0,
    half_period: float = 0.25,
) -> list[str]:
    """The LED rows: one per case, then the status LEDs."""
    phase = int(now / half_period) % 2 if half_period > 0 else 0
    rows = []
    for case, slots in _by_case(states).items():
        marks = "".join(_mark(state, phase) for _, state in slots)
        groups = " ".join(marks[i : i + 5] for i in range(0, len(marks), 5))
        first = slots[0][0] if slots else 1
        rows.append(f"{clean(case)[:12]:<12} {first} {groups}")
    if status:
        rows.append("  ".join(f"{name} {_mark(state, phase)}" for name, state in status.items()))
    return rows


def render_frame(
    states: Mapping[str, str],
    status: Mapping[str, str] | None,
    oled: str,
    *,
    now: float = 0.0,
    half_period: float = 0.25,
    footer: str = "",
) -> str:
    """The whole view: the OLED in a box, the LED rows, an optional key help line."""
    oled_rows = oled.splitlines() or [""]
    width = max(len(row) for row in oled_rows)
    lines = ["+" + "-" * width + "+"]
    lines += ["|" + row.ljust(width) + "|" for row in oled_rows]
    lines.append("+" + "-" * width + "+")
    lines += led_rows(states, status, now, half_period)
    if footer:
        lines.append(footer)
    return "\n".join(lines) + "\n"


class TerminalWriter:
    """Draws frames in place on a terminal, skipping identical ones."""

    HOME_AND_CLEAR = "\x1b[H\x1b[2J"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self._last: str | None = None

    def write(self, frame: str) -> bool:
        """Show ``frame``; returns False when it was already on screen."""
        if frame == self._last:
            return False
        self._last = frame
        self.out.write(self.HOME_AND_CLEAR + frame)
        self.out.flush()
        return True
