"""Make text that came from data safe to show on a terminal.

Anything scanned, imported or typed into a name can carry control characters
(``\\x1b[2J`` clears a technician's screen, ``\\r`` rewrites a line). Before
such text reaches a terminal or a log line it goes through :func:`clean`,
which shows every control character escaped instead of interpreting it.
"""

from __future__ import annotations

from unicodedata import category, east_asian_width

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


def visible(value: object) -> str:
    r"""``str(value)`` with every unsafe character shown escaped, backslashes left alone.

    For the edges that show text once, as a person reads it (the OLED, a
    terminal line of text already built): a name ``Line1<LF>Line2`` shows as
    ``Line1\nLine2``, and text escaped earlier is not escaped a second time.

    >>> visible("Evil\x1b[2J")
    'Evil\\x1b[2J'
    >>> visible(visible("Evil\x1b[2J"))
    'Evil\\x1b[2J'
    """
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape_char(ch) for ch in text)


def char_width(ch: str) -> int:
    """Terminal columns ``ch`` takes: 2 for wide (CJK, most emoji), 0 for combining marks."""
    if category(ch) in ("Mn", "Me"):
        return 0
    return 2 if east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Terminal columns ``text`` takes (``len`` miscounts CJK and emoji)."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def shorten(text: str, columns: int) -> str:
    """Cut ``text`` to ``columns`` terminal columns, marking the cut with an ellipsis."""
    if columns <= 0:
        return ""
    if width(text) <= columns:
        return text
    out, used = [], 0
    for ch in text:
        if used + char_width(ch) > columns - 1:
            break
        out.append(ch)
        used += char_width(ch)
    return "".join(out) + "\u2026"


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (``ljust`` by width)."""
    return text + " " * max(columns - width(text), 0)
