"""The slot layer against raw sqlite3 running the equivalent statements.

Both sides use the same schema, pragmas (WAL, synchronous=FULL) and
BEGIN IMMEDIATE, and write the same rows: the slot change, the asset's
home where the layer sets it, and one event row. The raw side skips
validation, planning, the checks and the hash computation — what the layer
costs on top of the writes it must make anyway. Room: 100 cases x 50 slots.
Target: the layer at most 1.5x raw.
"""

from __future__ import annotations

import sqlite3
import statistics
import time

import pytest

from kiosk.domain import slots
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Move, Vacate
from kiosk.domain.types import SlotRef
from kiosk.store.db import Database
from tests.bench.report import line

pytestmark = pytest.mark.bench
CASES, SLOTS, N, ROUNDS = 100, 50, 400, 3


def _room(path):
    db = Database(path)
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO slots VALUES (?, ?, NULL)",
            [(f"C{c:03d}", p) for c in range(CASES) for p in range(1, SLOTS + 1)],
        )
        conn.executemany(
            "INSERT INTO assets (tag, created, updated) VALUES (?, 'x', 'x')",
            [(f"T{i}",) for i in range(N)],
        )
    return db


def _raw(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


EVENT = (
    "INSERT INTO events VALUES ((SELECT coalesce(max(id), 0) + 1 FROM events), "
    "'2026-01-01T00:00:00.000Z', 'bench', ?, ?, 'C000:1', 'C000:2', NULL, '{}', "
    "coalesce((SELECT hash FROM events ORDER BY id DESC LIMIT 1), ''), "
    "hex(randomblob(32)))"
)
HOME = "UPDATE assets SET home_case=?, home_pos=?, updated='x' WHERE tag=?"


def _tx(conn, *statements):
    conn.execute("BEGIN IMMEDIATE")
    for sql, args in statements:
        conn.execute(sql, args)
    conn.execute("COMMIT")


def _paired(layer_fn, raw_fn, n):
    """Interleave layer and raw calls so disk and CPU noise hit both alike."""
    layer, raw = [], []
    for i in range(n):
        t0 = time.perf_counter()
        layer_fn(i)
        t1 = time.perf_counter()
        raw_fn(i)
        t2 = time.perf_counter()
        layer.append(t1 - t0)
        raw.append(t2 - t1)
    return statistics.median(layer), statistics.median(raw)


def test_layer_vs_raw(tmp_path):
    db = _room(tmp_path / "layer.db")
    raw_db = _room(tmp_path / "raw.db")
    raw_db.close()
    raw = _raw(tmp_path / "raw.db")
    put = "UPDATE slots SET current_asset_tag=? WHERE case_name=? AND slot_position=?"
    clear = "UPDATE slots SET current_asset_tag=NULL WHERE case_name=? AND slot_position=?"
    where_sql = (
        "SELECT s.case_name, s.slot_position FROM assets a LEFT JOIN slots s "
        "ON s.current_asset_tag = a.tag WHERE a.tag = ?"
    )

    def slot(i, shift=0):
        # Assign to odd positions, move to the even one beside: no two ops collide.
        return f"C{i % CASES:03d}", 2 * (i // CASES) + 1 + shift

    results = {}
    for _round in range(ROUNDS):
        runs = {
            "assign": (
                lambda i: execute(db, Assign(f"T{i}", SlotRef.of(*slot(i))), actor="bench"),
                lambda i: _tx(
                    raw,
                    (put, (f"T{i}", *slot(i))),
                    (HOME, (*slot(i), f"T{i}")),
                    (EVENT, ("assign", f"T{i}")),
                ),
            ),
            "move": (
                lambda i: execute(db, Move(f"T{i}", SlotRef.of(*slot(i, 1))), actor="bench"),
                lambda i: _tx(
                    raw,
                    (clear, slot(i)),
                    (put, (f"T{i}", *slot(i, 1))),
                    (HOME, (*slot(i, 1), f"T{i}")),
                    (EVENT, ("move", f"T{i}")),
                ),
            ),
            "where": (
                lambda i: slots.where(db.conn, f"T{i}"),
                lambda i: raw.execute(where_sql, (f"T{i}",)).fetchone(),
            ),
            "vacate": (
                lambda i: execute(db, Vacate(slot=SlotRef.of(*slot(i, 1))), actor="bench"),
                lambda i: _tx(raw, (clear, slot(i, 1)), (EVENT, ("vacate", f"T{i}"))),
            ),
        }
        for name, (layer_fn, raw_fn) in runs.items():
            results.setdefault(name, []).append(_paired(layer_fn, raw_fn, N))

    print(
        f"\nslot layer vs raw sqlite3, {CASES} cases x {SLOTS} slots, "
        f"{ROUNDS} x {N} interleaved ops each, medians"
    )
    worst = 0.0
    for name, pairs in results.items():
        layer = statistics.median(p[0] for p in pairs)
        base = statistics.median(p[1] for p in pairs)
        worst = max(worst, layer / base)
        print(line(f"{name} (raw)", base))
        print(line(f"{name} (layer)", layer, base) + f"   {1 / layer:8.0f} ops/s")
    print(f"  worst ratio {worst:.2f}x (target <= 1.5x)")
    assert worst <= 1.5, f"the slot layer costs {worst:.2f}x raw sqlite3 (target <= 1.5x)"
