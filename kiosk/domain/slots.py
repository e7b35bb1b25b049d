"""The slot layer: slot reads, and the one place that writes the ``slots`` table.

A slot is a physical position in a case (``CART-A:3``). The rules the
database enforces (unique position per case, an asset in at most one slot,
only an in-stock, known asset in a slot) are checked by the operations first
so that a refusal says, in words, what blocks it ("slot B:4 holds LT-0042").

:func:`occupy` and :func:`release` run only inside an operation's
transaction (see :mod:`kiosk.domain.operations`); :func:`init_case` is its
own transaction and appends its own event.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk.domain import validate
from kiosk.domain.ports import Store
from kiosk.domain.types import SlotRef, slot_or_none
from kiosk.errors import HardStop, NotFound
from kiosk.store import events
from kiosk.store.db import translate


@dataclass(frozen=True)
class CaseInfo:
    """A storage case and how full it is."""

    case: str
    slots: int
    occupied: int

    def as_dict(self) -> dict[str, object]:
        return {"case": self.case, "slots": self.slots, "occupied": self.occupied}


# -- reads --------------------------------------------------------------------


def occupant(conn: sqlite3.Connection, ref: SlotRef) -> str | None:
    """The tag in ``ref`` (None when empty); :class:`NotFound` if no such slot."""
    row = conn.execute(
        "SELECT current_asset_tag FROM slots WHERE case_name = ? AND slot_position = ?",
        (ref.case, ref.pos),
    ).fetchone()
    if row is None:
        raise _missing(conn, ref)
    tag: str | None = row[0]
    return tag


def _missing(conn: sqlite3.Connection, ref: SlotRef) -> NotFound:
    size = conn.execute(
        "SELECT max(slot_position) FROM slots WHERE case_name = ?", (ref.case,)
    ).fetchone()[0]
    if size is None:
        return NotFound(f"unknown case {ref.case}")
    return NotFound(f"no slot {ref}: case {ref.case} has slots 1..{size}")


def require_exists(conn: sqlite3.Connection, ref: SlotRef) -> None:
    occupant(conn, ref)


def require_empty(conn: sqlite3.Connection, ref: SlotRef) -> None:
    holder = occupant(conn, ref)
    if holder is not None:
        raise HardStop(f"slot {ref} holds {holder}", code="slot_occupied")


def slot_of(conn: sqlite3.Connection, tag: str) -> SlotRef | None:
    """Where ``tag`` sits, or None."""
    row = conn.execute(
        "SELECT case_name, slot_position FROM slots WHERE current_asset_tag = ?", (tag,)
    ).fetchone()
    return None if row is None else SlotRef(*row)


def case_size(conn: sqlite3.Connection, case: str) -> int:
    """How many slots ``case`` has (0 for an unknown case)."""
    row = conn.execute("SELECT count(*) FROM slots WHERE case_name = ?", (case,)).fetchone()
    count: int = row[0]
    return count


def is_empty(conn: sqlite3.Connection, ref: SlotRef) -> bool:
    return occupant(conn, ref) is None


def is_slotted(conn: sqlite3.Connection, tag: str) -> bool:
    return slot_of(conn, tag) is not None


def first_free(conn: sqlite3.Connection, case: str | None = None) -> SlotRef:
    """The first free slot (of ``case``, or of any case in name order).

    Free means empty *and* nobody's home: the home of a laptop out on loan
    is kept for its return, so intake never proposes it.
    """
    sql = (
        "SELECT s.case_name, s.slot_position FROM slots s "
        "WHERE s.current_asset_tag IS NULL AND NOT EXISTS (SELECT 1 FROM assets a "
        "WHERE a.home_case = s.case_name AND a.home_pos = s.slot_position)"
    )
    args: tuple[str, ...] = ()
    if case is not None:
        sql, args = sql + " AND s.case_name = ?", (case,)
    row = conn.execute(sql + " ORDER BY s.case_name, s.slot_position LIMIT 1", args).fetchone()
    if row is None:
        raise HardStop("no free slot" + (f" in {case}" if case else ""), code="no_free_slot")
    return SlotRef(*row)


def list_slots(
    conn: sqlite3.Connection, case: str | None = None
) -> list[tuple[SlotRef, str | None]]:
    """Every slot (of one case) with its occupant, in physical order."""
    if case is None:
        rows = conn.execute(
            "SELECT case_name, slot_position, current_asset_tag FROM slots "
            "ORDER BY case_name, slot_position"
        )
    else:
        case = validate.case_name(case)
        rows = conn.execute(
            "SELECT case_name, slot_position, current_asset_tag FROM slots "
            "WHERE case_name = ? ORDER BY slot_position",
            (case,),
        )
    result = [(SlotRef(c, p), t) for c, p, t in rows]
    if case is not None and not result:
        raise NotFound(f"unknown case {case}")
    return result


def list_cases(conn: sqlite3.Connection) -> list[CaseInfo]:
    rows = conn.execute(
        "SELECT case_name, count(*), count(current_asset_tag) FROM slots "
        "GROUP BY case_name ORDER BY case_name"
    )
    return [CaseInfo(*r) for r in rows]


# -- the only writes ----------------------------------------------------------


def occupy(conn: sqlite3.Connection, ref: SlotRef, tag: str) -> None:
    """Put ``tag`` into the empty slot ``ref`` (inside a plan's transaction)."""
    cur = conn.execute(
        "UPDATE slots SET current_asset_tag = ? "
        "WHERE case_name = ? AND slot_position = ? AND current_asset_tag IS NULL",
        (tag, ref.case, ref.pos),
    )
    if cur.rowcount != 1:
        raise HardStop(f"slot {ref} is not free", code="slot_occupied")


def release(conn: sqlite3.Connection, ref: SlotRef, tag: str | None) -> None:
    """Empty ``ref``, which must hold ``tag`` (inside a plan's transaction)."""
    cur = conn.execute(
        "UPDATE slots SET current_asset_tag = NULL "
        "WHERE case_name = ? AND slot_position = ? AND current_asset_tag IS ?",
        (ref.case, ref.pos, tag),
    )
    if cur.rowcount != 1:
        raise HardStop(f"slot {ref} does not hold {tag}", code="slot_changed")


def init_case(db: Store, case: str, count: int, *, actor: str) -> CaseInfo:
    """Give ``case`` slots 1..count: create, grow, or shrink (only empty, homeless slots)."""
    case, count = validate.case_name(case), validate.slot_count(count)
    with db.write() as conn:
        have = case_size(conn, case)
        # The same three steps to grow, shrink or keep a case: the slots past
        # ``count`` must be removable (none when it grows), the new positions
        # past ``have`` are an empty range unless it grows.
        _check_removable(conn, case, count)
        conn.execute("DELETE FROM slots WHERE case_name = ? AND slot_position > ?", (case, count))
        conn.executemany(
            "INSERT INTO slots (case_name, slot_position) VALUES (?, ?)",
            [(case, p) for p in range(have + 1, count + 1)],
        )
        if count != have:
            events.append(
                conn,
                actor=actor,
                op="case_init",
                details={"case": case, "slots": count, "was": have},
            )
        occupied = conn.execute(
            "SELECT count(current_asset_tag) FROM slots WHERE case_name = ?", (case,)
        ).fetchone()[0]
    return CaseInfo(case, count, occupied)


def _check_removable(conn: sqlite3.Connection, case: str, keep: int) -> None:
    row = conn.execute(
        "SELECT slot_position, current_asset_tag FROM slots WHERE case_name = ? "
        "AND slot_position > ? AND current_asset_tag IS NOT NULL ORDER BY slot_position LIMIT 1",
        (case, keep),
    ).fetchone()
    if row:
        raise HardStop(
            f"cannot shrink {case} to {keep}: slot {case}:{row[0]} holds {row[1]}",
            code="slot_occupied",
        )
    row = conn.execute(
        "SELECT home_pos, tag FROM assets WHERE home_case = ? AND home_pos > ? "
        "ORDER BY home_pos LIMIT 1",
        (case, keep),
    ).fetchone()
    if row:
        raise HardStop(
            f"cannot shrink {case} to {keep}: slot {case}:{row[0]} is home of {row[1]}",
            code="slot_is_home",
        )


_WHERE = (
    "SELECT s.case_name, s.slot_position FROM assets a "
    "LEFT JOIN slots s ON s.current_asset_tag = a.tag WHERE a.tag = ?"
)


def where(conn: sqlite3.Connection, tag: str) -> SlotRef | None:
    """The slot of a known asset (None when it is not slotted); NotFound otherwise.

    One statement, so it needs no explicit transaction to be consistent.
    """
    tag = validate.tag(tag)
    try:
        row = conn.execute(_WHERE, (tag,)).fetchone()
    except sqlite3.Error as exc:  # a bare try: this is the hottest read in the kiosk
        raise translate(exc) from exc
    if row is None:
        raise NotFound(f"unknown asset {tag}")
    return slot_or_none(*row)
