"""The exact schema check: the schema the migrations create is the only one accepted.

Triggers are what make the event log append-only and keep an asset out of
two slots; a file whose triggers were dropped, rewritten or added to, or
whose ``events`` table became a view that swallows inserts, would let the
record lie while every other check still passes. So the file's
``sqlite_schema`` (tables, columns, indexes, triggers, views, as the SQL
that created them) is compared with a reference built by running
:mod:`kiosk.store.migrations` on an empty in-memory database -- once per
process and schema version.

The comparison is of normalised SQL: runs of whitespace become one space
and a trailing ``;`` is dropped. Anything else (an extra column, a changed
CHECK, one more trigger, a table of somebody else's) is a difference, named
in words: ``trigger events_no_delete missing``, ``unexpected trigger x on
events``, ``unexpected table big``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path

from kiosk.errors import StorageUnusable
from kiosk.store import migrations

#: (type, name) -> (table the object belongs to, normalised SQL)
Objects = dict[tuple[str, str], tuple[str, str]]

_SPACE = re.compile(r"\s+")


def normalise(sql: str | None) -> str:
    """The SQL text with whitespace runs collapsed and no trailing ``;``."""
    if sql is None:
        return ""
    return _SPACE.sub(" ", sql).strip().rstrip(";").rstrip()


def objects(conn: sqlite3.Connection) -> Objects:
    """Every schema object of the file ``conn`` reads."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_schema")
    return {(kind, name): (table, normalise(sql)) for kind, name, table, sql in rows}


@functools.cache
def reference(version: int = migrations.LATEST) -> tuple[tuple[tuple[str, str], str, str], ...]:
    """The schema the migrations create at ``version`` (built in memory, cached)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations.upgrade(conn, version)
        found = objects(conn)
    finally:
        conn.close()
    return tuple(sorted((key, table, sql) for key, (table, sql) in found.items()))


def differences(conn: sqlite3.Connection, version: int | None = None) -> list[str]:
    """How the file's schema differs from the one of ``version`` (its own by default).

    Empty when they are identical. Each difference is one short line.
    """
    if version is None:
        version = migrations.version(conn)
    want: Objects = {key: (table, sql) for key, table, sql in reference(version)}
    have = objects(conn)
    found = []
    for kind, name in sorted(want):
        if (kind, name) in have:
            continue
        other = next((k for k, n in have if n == name), None)
        if other is not None:
            found.append(f"{name} is a {other}, not a {kind}")
        else:
            found.append(f"{kind} {name} missing")
    for (kind, name), (table, sql) in sorted(have.items()):
        expected = want.get((kind, name))
        if expected is None:
            if any(n == name for _, n in want):
                continue  # already named as "is a view, not a table"
            on = f" on {table}" if kind in ("index", "trigger") else ""
            found.append(f"unexpected {kind} {name}{on}")
        elif expected[1] != sql or expected[0] != table:
            found.append(f"{kind} {name} differs from the one AssetTrack creates")
    return found


def require_exact(conn: sqlite3.Connection, path: Path | str) -> None:
    """Refuse (:class:`StorageUnusable`) a file whose schema is not exactly ours."""
    found = differences(conn)
    if found:
        raise StorageUnusable(
            f"{path}: schema is not the one AssetTrack creates: {describe(found)}"
        )


def describe(found: list[str], limit: int = 5) -> str:
    """The first few differences, joined for one line."""
    more = f"; and {len(found) - limit} more" if len(found) > limit else ""
    return "; ".join(found[:limit]) + more
