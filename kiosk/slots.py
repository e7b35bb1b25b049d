"""The slot layer: the one place that writes the ``slots`` table.

A slot is a physical position in a case (``CART-A:3``). The rules the
database enforces (unique position per case, an asset in at most one slot,
only an in-stock, known asset in a slot) are checked here first so that a
refusal says, in words, what blocks it:

    >>> assign(db, "LT-0193", "B", 4, actor="ops")      # doctest: +SKIP
    HardStop: slot B:4 holds LT-0042

Every public operation is one ``BEGIN IMMEDIATE`` transaction that also
appends its event, and changes nothing when it refuses. The low-level
writers :func:`occupy` and :func:`release` run only inside a plan's
transaction (see :mod:`kiosk.plans`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk import events, validate
from kiosk.db import translate
from kiosk.errors import HardStop, NotFound
from kiosk.plans import Plan, execute, planner
from kiosk.validate import SlotRef

TYPE_CHECKING = False  # typing costs every CLI call; annotations only
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class CaseInfo:
    case: str
    slots: int
    occupied: int

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.case, "slots": self.slots, "occupied": self.occupied}


# -- reads --------------------------------------------------------------------


def occupant(conn: sqlite3.Connection, ref: SlotRef) -> str | None:
    """The tag in ``ref`` (None when empty); :class:`NotFound` if no such slot."""
    row = conn.execute(
        "SELECT current_asset_tag FROM slots WHERE case_name = ? AND slot_position = ?",
        (ref.case, ref.pos),
    ).fetchone()
    if row is None:
        _missing(conn, ref)
    return row[0]


def _missing(conn: sqlite3.Connection, ref: SlotRef) -> None:
    size = conn.execute(
        "SELECT max(slot_position) FROM slots WHERE case_name = ?", (ref.case,)
    ).fetchone()[0]
    if size is None:
        raise NotFound(f"unknown case {ref.case}")
    raise NotFound(f"no slot {ref}: case {ref.case} has slots 1..{size}")


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
    return conn.execute("SELECT count(*) FROM slots WHERE case_name = ?", (case,)).fetchone()[0]


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
    args: tuple[Any, ...] = ()
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


def init_case(db: Any, case: str, count: int, actor: str) -> CaseInfo:
    """Give ``case`` slots 1..count: create, grow, or shrink (only empty, homeless slots)."""
    case, count = validate.case_name(case), validate.slot_count(count)
    with db.write() as conn:
        have = case_size(conn, case)
        if count > have:
            conn.executemany(
                "INSERT INTO slots (case_name, slot_position) VALUES (?, ?)",
                [(case, p) for p in range(have + 1, count + 1)],
            )
        elif count < have:
            _check_removable(conn, case, count)
            conn.execute(
                "DELETE FROM slots WHERE case_name = ? AND slot_position > ?", (case, count)
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


# -- planners -----------------------------------------------------------------


def _in_stock_asset(conn: sqlite3.Connection, tag: str):
    from kiosk import assets

    asset = assets.get(conn, tag)
    if asset.status == "IN_CUSTODY":
        raise HardStop(
            f"{asset.tag} is out with {asset.custodian_name} ({asset.custodian}); use stock-in",
            code="wrong_state",
        )
    if asset.status != "IN_STOCK":
        raise HardStop(f"{asset.tag} is {asset.status}", code="wrong_state")
    return asset


@planner("assign")
def plan_assign(conn: sqlite3.Connection, tag: str, slot: SlotRef) -> Plan:
    from kiosk.assets import home_changes

    asset = _in_stock_asset(conn, tag)
    if asset.slot is not None:
        raise HardStop(f"{asset.tag} is already in {asset.slot}", code="already_slotted")
    require_empty(conn, slot)
    changes = home_changes(slot) if asset.home is None else ()
    return Plan(
        "assign",
        (("tag", tag), ("slot", slot)),
        asset.tag,
        asset.state(),
        None,
        slot,
        changes=changes,
        summary=f"{asset.tag} -> {slot}",
    )


@planner("move")
def plan_move(conn: sqlite3.Connection, tag: str, slot: SlotRef) -> Plan:
    from kiosk.assets import home_changes

    asset = _in_stock_asset(conn, tag)
    if asset.slot is None:
        raise HardStop(f"{asset.tag} is not in a slot; use slot assign", code="not_slotted")
    if asset.slot == slot:
        raise HardStop(f"{asset.tag} is already in {slot}", code="already_slotted")
    require_empty(conn, slot)
    # An asset that lived at home moves home with it.
    changes = home_changes(slot) if asset.home in (None, asset.slot) else ()
    return Plan(
        "move",
        (("tag", tag), ("slot", slot)),
        asset.tag,
        asset.state(),
        asset.slot,
        slot,
        changes=changes,
        summary=f"{asset.tag}: {asset.slot} -> {slot}",
    )


@planner("vacate")
def plan_vacate(
    conn: sqlite3.Connection, slot: SlotRef | None = None, tag: str | None = None
) -> Plan:
    from kiosk import assets

    if slot is not None:
        tag = occupant(conn, slot)
        if tag is None:
            raise HardStop(f"slot {slot} is empty", code="slot_empty")
    elif tag is None:
        raise ValueError("vacate needs a slot or a tag")
    asset = assets.get(conn, tag)
    if asset.slot is None:
        raise HardStop(f"{asset.tag} is not in a slot", code="not_slotted")
    return Plan(
        "vacate",
        (("slot", slot), ("tag", None if slot is not None else tag)),
        asset.tag,
        asset.state(),
        asset.slot,
        None,
        summary=f"{asset.tag} out of {asset.slot}",
    )


# -- public operations (each one transaction) ---------------------------------


def assign(db: Any, tag: str, case: str, pos: int, actor: str) -> Plan:
    return execute(db, "assign", actor, tag=validate.tag(tag), slot=SlotRef.of(case, pos))


def move(db: Any, tag: str, case: str, pos: int, actor: str) -> Plan:
    return execute(db, "move", actor, tag=validate.tag(tag), slot=SlotRef.of(case, pos))


def vacate(db: Any, case: str, pos: int, actor: str) -> Plan:
    return execute(db, "vacate", actor, slot=SlotRef.of(case, pos))


def vacate_asset(db: Any, tag: str, actor: str) -> Plan:
    return execute(db, "vacate", actor, tag=validate.tag(tag))


_WHERE = (
    "SELECT s.case_name, s.slot_position FROM assets a "
    "LEFT JOIN slots s ON s.current_asset_tag = a.tag WHERE a.tag = ?"
)


def where(db: Any, tag: str) -> SlotRef | None:
    """The slot of a known asset (None when it is not slotted); NotFound otherwise.

    One statement, so it needs no explicit transaction to be consistent.
    """
    tag = validate.tag(tag)
    try:
        row = db.conn.execute(_WHERE, (tag,)).fetchone()
    except sqlite3.Error as exc:  # a bare try: this is the hottest read in the kiosk
        raise translate(exc) from exc
    if row is None:
        raise NotFound(f"unknown asset {tag}")
    return None if row[0] is None else SlotRef(row[0], row[1])
