"""The simulated kiosk in a terminal (``make run``): type scans, press keys, watch LEDs.

Keys (printed under the view)::

    a code, then Enter      a scan, exactly as the barcode scanner sends it
    Enter on an empty line  Confirm
    "-" then Enter          Cancel
    Ctrl-C                  quit (LEDs off, display cleared)

Line input keeps the terminal in its normal mode: nothing to restore if the
process dies. The view (the OLED as ASCII and one LED row per case, from
:mod:`kiosk.daemon.terminal_view`) is redrawn at the top of the screen by the main loop's
tick, without disturbing the line being typed below it. Whatever was typed
is echoed back escaped (:func:`kiosk.sanitize.clean`).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import TextIO

from kiosk.daemon.loop import Daemon
from kiosk.daemon.terminal_view import render_frame
from kiosk.sanitize import clean, pad

KEYS = "code+Enter: scan   Enter: Confirm   -+Enter: Cancel   Ctrl-C: quit"
CONFIRM_LINES = ("", "+")
CANCEL_LINES = ("-",)


def meaning(line: str) -> tuple[str, str]:
    """What a typed line means: ("press", "confirm"|"cancel") or ("scan", code)."""
    text = line.rstrip("\r\n")
    if text.strip() in CONFIRM_LINES:
        return "press", "confirm"
    if text.strip() in CANCEL_LINES:
        return "press", "cancel"
    return "scan", text


class Console:
    """Reads stdin on a thread, redraws the simulated hardware on the main loop's tick."""

    def __init__(
        self, daemon: Daemon, stdin: TextIO | None = None, out: TextIO | None = None
    ) -> None:
        self.daemon = daemon
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stdout
        self._lock = threading.Lock()
        self._last_frame = ""
        self._rows = 0
        self._echo = ""

    def attach(self) -> None:
        """Start reading keys and drawing on every tick."""
        self.out.write("\x1b[H\x1b[2J")
        self.daemon.on_frame = self.draw
        threading.Thread(target=self._read, name="console", daemon=True).start()

    def frame(self) -> str:
        hw = self.daemon.devices()
        if shutil.get_terminal_size().columns >= hw.display.width + 2:
            oled = hw.display.ascii()  # the panel pixel for pixel
        else:
            # Too narrow for the pixels: the same text, as the panel fits it.
            lines = self.daemon.display_lines() or [""]
            oled = "\n".join(f" {pad(line, 21)} " for line in lines)
        return render_frame(
            hw.leds.states(),
            hw.leds.status_states(),
            oled,
            now=time.monotonic(),
            half_period=hw.leds.half_period,
            footer=KEYS,
        )

    def draw(self) -> None:
        frame = self.frame()
        with self._lock:
            if frame == self._last_frame:
                return
            first = not self._last_frame
            self._last_frame = frame
            lines = frame.splitlines()
            # Save the cursor, paint from the top left, come back to the prompt.
            body = "".join(f"{line}\x1b[K\r\n" for line in lines)
            self.out.write(("" if first else "\x1b7") + "\x1b[H" + body)
            if first or len(lines) != self._rows:
                self._rows = len(lines)
                self._prompt()
            else:
                self.out.write("\x1b8")
            self.out.flush()

    def _prompt(self) -> None:
        # Below the view: what was last typed, then the prompt; clear the rest.
        self.out.write(f"\x1b[{self._rows + 1};1H\x1b[J\r\n{self._echo}\r\nscan> ")

    def _read(self) -> None:
        for line in self.stdin:
            kind, value = meaning(line)
            shown = value if kind == "scan" else f"[{value}]"
            with self._lock:
                self._echo = f"last: {clean(shown)}"
                self._prompt()
                self.out.flush()
            if kind == "scan":
                self.daemon.on_scan(value)
            else:
                self.daemon.press(value)
        self.daemon.stop()  # stdin closed (Ctrl-D): leave as cleanly as Ctrl-C
