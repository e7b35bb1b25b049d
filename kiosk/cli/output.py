"""Rendering results for people (aligned tables, one-liners) and machines (JSON).

Every string that came from data passes through :func:`kiosk.sanitize.clean`
here, so no command can forget to escape a hostile tag or name.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kiosk.errors import KioskError
from kiosk.sanitize import clean, pad, shorten, visible
from kiosk.sanitize import width as columns

WIDTH = 80


@dataclass
class Result:
    """What a command hands back: ``data`` for ``--json``, ``text`` for people.

    Either may be a function returning it, so a long listing builds only the
    form that is printed (a 100,000-row table nobody asked for costs time).
    """

    data: object = None
    text: str | Callable[[], str] = ""
    exit_code: int = 0
    stderr: list[str] = field(default_factory=list)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    width: int = WIDTH,
    fixed: Sequence[int] = (),
) -> str:
    """An aligned text table that fits ``width`` columns (the widest column gives way).

    Columns whose index is in ``fixed`` (times, ids) never give way.
    """
    cells = [[clean(c) for c in row] for row in rows]
    heads = list(headers)
    # Display width, not len: a CJK name takes two columns a character.
    widths = [max([columns(h)] + [columns(r[i]) for r in cells]) for i, h in enumerate(heads)]
    budget = width - 2 * (len(heads) - 1)
    shrinkable = [i for i in range(len(heads)) if i not in fixed]
    while shrinkable and sum(widths) > budget:
        widest = max(shrinkable, key=lambda i: widths[i])
        if widths[widest] <= 8:
            break
        widths[widest] -= 1
    lines = ["  ".join(pad(h, w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    for row in cells:
        parts = [pad(shorten(c, w), w) for c, w in zip(row, widths, strict=True)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def terminal_safe(text: str) -> str:
    """``text`` with every control character but the line breaks shown escaped.

    The last line of defence: handlers clean each value they format, and
    whatever one of them forgets still cannot reach the terminal raw.
    """
    if text.isprintable():
        return text
    return "\n".join(visible(line) for line in text.split("\n"))


def emit(result: Result, as_json: bool) -> int:
    out = sys.stdout
    if as_json:
        data = result.data() if callable(result.data) else result.data
        out.write(_json_line(data))
    else:
        text = result.text() if callable(result.text) else result.text
        if text:
            out.write(terminal_safe(text.rstrip("\n")) + "\n")
    for line in result.stderr:
        sys.stderr.write(terminal_safe(line) + "\n")
    return result.exit_code


def emit_error(err: KioskError, as_json: bool) -> int:
    # Messages quote data already cleaned where they were made; terminal_safe
    # escapes what one forgot without escaping the escapes a second time.
    message = terminal_safe(err.message)
    if as_json:
        doc: dict[str, dict[str, object]] = {"error": {"code": err.code, "message": message}}
        details = getattr(err, "details", None)  # machine-readable detail, if any
        if details:
            doc["error"]["details"] = details
        sys.stdout.write(_json_line(doc))
    else:
        sys.stderr.write(f"error: {message}\n")
    return err.exit_code


def _json_line(document: object) -> str:
    # json is imported for --json output only: people's reads skip its cost.
    import json

    return json.dumps(document, ensure_ascii=True) + "\n"
