"""CSV cells a spreadsheet would run as formulas, made inert and back again.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel and LibreOffice (``=HYPERLINK(...)``,
``@SUM(1)``, ``=cmd|' /C calc'!A0``). OWASP's rule for CSV injection is to
prefix such a cell with a single quote, which spreadsheets show as text.

:func:`guard` does that on export and :func:`unguard` undoes exactly that on
import, so export -> import gives back the original text. A value that
really starts with quotes before such a character (``'=1``) gets one more
quote on export, so the one quote import removes is always the one export
added; a quote before anything else (``'tis``) is left alone both ways.

    >>> guard("=1+1"), unguard(guard("=1+1"))
    ("'=1+1", '=1+1')
    >>> guard("'=1"), unguard(guard("'=1"))
    ("''=1", "'=1")
"""

from __future__ import annotations

import re

_NEEDS_GUARD = re.compile(r"'*[=+\-@\t\r]")
_GUARDED = re.compile(r"'+[=+\-@\t\r]")


def guard(text: str) -> str:
    """``text`` as a cell no spreadsheet runs."""
    return "'" + text if _NEEDS_GUARD.match(text) else text


def unguard(text: str) -> str:
    """The original text of a cell :func:`guard` wrote."""
    return text[1:] if _GUARDED.match(text) else text
