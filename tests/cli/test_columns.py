"""CLI tables line up however wide the characters in them are."""

from __future__ import annotations

from unicodedata import east_asian_width

from kiosk.cli.output import table

WIDE_NAME = "山田太郎 🙂 Ng"
EVIL_NAME = "Evil\x1b[2J\x1b[31mRed\x07Bell"


def width(text: str) -> int:
    """Terminal columns, as a terminal counts them (wide characters take two)."""
    return sum(2 if east_asian_width(c) in ("W", "F") else 1 for c in text)


def test_cli_columns_align_by_display_width():
    out = table(["NAME", "TAG"], [[WIDE_NAME, "LT-1"], ["Bob", "LT-2"], [EVIL_NAME, "LT-3"]])
    starts = {width(line[: line.index("LT-")]) for line in out.splitlines()[1:]}
    assert len(starts) == 1, out
    heading = out.splitlines()[0]
    assert width(heading[: heading.index("TAG")]) in starts
