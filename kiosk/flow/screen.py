"""What the OLED should say, as plain data: no hardware, no drawing.

The kiosk state machine produces a :class:`Screen`; :mod:`kiosk.flow.panel`
turns it into pixels and :mod:`hw.display` puts those on the panel. Keeping
the model apart lets the state machine and its tests run without PIL or luma.

>>> Screen("confirm", "Stock in", ("LT-0193",), "Confirm")
Screen(kind='confirm', title='Stock in', lines=('LT-0193',), action='Confirm')

Text is kept as it came from the data; the panel, the status command and the
terminal view each make it visible once, where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import InvalidInput
from kiosk.sanitize import clean

#: idle: waiting for a scan. preview: what a scan will do. confirm: waiting
#: for the button. conflict: a hard stop. error: something failed. success:
#: done. busy: working on it.
KINDS = ("idle", "preview", "confirm", "conflict", "error", "success", "busy")


@dataclass(frozen=True)
class Screen:
    """One screenful: a kind (sets the icon and emphasis), a title, body lines, an action.

    ``action`` is what the person can do next ("Confirm / Cancel", "Scan your
    badge"): the panel always draws it on the bottom row, cutting the body
    lines rather than the prompt.
    """

    kind: str
    title: str
    lines: tuple[str, ...] = ()
    action: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(f"screen kind must be one of {', '.join(KINDS)}: {clean(self.kind)}")
        # Accept any sequence of lines, store a tuple so screens compare and hash.
        object.__setattr__(self, "lines", tuple(str(line) for line in self.lines))
