"""What the OLED shows, as data: a kind, a title and a few lines of text.

The kiosk decides *what* to show (:mod:`kiosk.interaction`); the display
decides *how* (fonts, wrapping, the 128x64 panel). ``kind`` lets a display
style a screen (a conflict drawn inverted, say) without parsing its text.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("idle", "preview", "confirm", "conflict", "error", "success", "busy")


@dataclass(frozen=True)
class Screen:
    kind: str
    title: str
    lines: tuple[str, ...] = ()

    def text(self) -> list[str]:
        """The title and the lines, as a list of strings (status answers, logs)."""
        return [self.title, *self.lines]
