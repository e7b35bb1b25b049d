"""The domain's invariants as queries: each returns the rows that break it.

The schema enforces these already (CHECKs, unique indexes, triggers,
foreign keys); this module states them once more, independently, so tests,
``assettrack doctor`` and the crash-recovery checks can prove that no
sequence of operations — or a file edited behind our back — broke them.
"""

from __future__ import annotations

import sqlite3

# (name, query returning offending rows, what an offending row means)
RULES: tuple[tuple[str, str, str], ...] = (
    (
        "asset in two slots",
        "SELECT current_asset_tag FROM slots WHERE current_asset_tag IS NOT NULL "
        "GROUP BY current_asset_tag HAVING count(*) > 1",
        "occupies more than one slot",
    ),
    (
        "slotted tag unknown",
        "SELECT s.current_asset_tag FROM slots s LEFT JOIN assets a "
        "ON a.tag = s.current_asset_tag WHERE s.current_asset_tag IS NOT NULL AND a.tag IS NULL",
        "sits in a slot but is not a known asset",
    ),
    (
        "slotted asset not in stock",
        "SELECT a.tag || ' (' || a.status || ')' FROM slots s JOIN assets a "
        "ON a.tag = s.current_asset_tag WHERE a.status != 'IN_STOCK'",
        "occupies a slot while not in stock",
    ),
    (
        "custody without custodian",
        "SELECT tag FROM assets WHERE (status = 'IN_CUSTODY') != (custodian IS NOT NULL)",
        "has status and custodian out of step",
    ),
    (
        "custodian unknown",
        "SELECT a.tag FROM assets a LEFT JOIN people p ON p.badge = a.custodian "
        "WHERE a.custodian IS NOT NULL AND p.badge IS NULL",
        "is held by an unknown badge",
    ),
    (
        "slot position invalid",
        "SELECT case_name || ':' || slot_position FROM slots WHERE slot_position < 1",
        "has a position below 1",
    ),
    (
        "case has gaps",
        "SELECT case_name FROM slots GROUP BY case_name HAVING max(slot_position) != count(*)",
        "does not have slots numbered 1..N",
    ),
    (
        "home slot missing",
        "SELECT a.tag FROM assets a LEFT JOIN slots s ON s.case_name = a.home_case "
        "AND s.slot_position = a.home_pos WHERE a.home_case IS NOT NULL AND s.case_name IS NULL",
        "has a home slot that does not exist",
    ),
)


def by_rule(conn: sqlite3.Connection) -> list[tuple[str, list[str], str]]:
    """Each invariant with what breaks it: ``(name, offending subjects, meaning)``."""
    found = [
        (name, [str(r[0]) for r in conn.execute(sql)], meaning) for name, sql, meaning in RULES
    ]
    fks = [
        f"{table} row {rowid} -> {parent}"
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")
    ]
    found.append(("foreign keys", fks, "points to a missing row"))
    return found


def violations(conn: sqlite3.Connection) -> list[str]:
    """Every broken invariant, one line each; empty when the data is sound."""
    return [
        f"{name}: {subject} {meaning}"
        for name, subjects, meaning in by_rule(conn)
        for subject in subjects
    ]


def integrity(conn: sqlite3.Connection) -> list[str]:
    """SQLite's own structural check; empty when the file is sound."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows
