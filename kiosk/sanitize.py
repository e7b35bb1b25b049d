"""Make text that came from data safe to show on a terminal.

Anything scanned, imported or typed into a name can carry control characters
(``\\x1b[2J`` clears a technician's screen, ``\\r`` rewrites a line). Before
such text reaches a terminal or a log line it goes through :func:`clean`,
which shows every control character escaped instead of interpreting it.
"""

from __future__ import annotations

from unicodedata import category

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escape_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _unsafe(ch: str) -> bool:
    # Cc: C0/C1 controls incl. ESC and CSI (0x9b). Cf: bidi overrides and
    # zero-width characters, which can make a tag look like another one.
    # Zl/Zp: line and paragraph separators.
    return ch == "\\" or category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def clean(value: object) -> str:
    """Return ``str(value)`` with every control character shown escaped.

    >>> clean("LT-1\\x1b[2J")
    'LT-1\\\\x1b[2J'
    """
    text = "" if value is None else str(value)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in text)


def shorten(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "\u2026"
