"""Custody (Milestone 8): stock-out, stock-in and the other status transitions.

Allowed transitions (anything else is a hard stop that names the state)::

    IN_STOCK   --stock_out-->  IN_CUSTODY   (leaves its slot; that slot becomes home if none)
    IN_CUSTODY --stock_in--->  IN_STOCK     (to its home slot, or the slot named)
    REPAIR/LOST --stock_in-->  IN_STOCK     (back from repair; found and put away)
    IN_STOCK, unslotted --stock_in--> IN_STOCK  (put away)
    IN_STOCK, IN_CUSTODY --repair--> REPAIR
    IN_STOCK, REPAIR, LOST --retire--> RETIRED (never while someone holds it)
    IN_STOCK, IN_CUSTODY, REPAIR --lost--> LOST
    LOST --found--> IN_STOCK (unslotted)

Leaving stock always vacates the slot, in the same transaction.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from typing import Any

from kiosk import assets, slots, validate
from kiosk.errors import HardStop, InvalidInput
from kiosk.plans import Plan, execute, planner
from kiosk.validate import SlotRef

_RELEASE = (("custodian", None), ("due", None))


def _blocked(asset: assets.Asset, doing: str) -> HardStop:
    if asset.status == "IN_CUSTODY":
        why = f"{asset.tag} is out with {asset.custodian_name} ({asset.custodian})"
    else:
        why = f"{asset.tag} is {asset.status}"
    return HardStop(f"cannot {doing}: {why}", code="wrong_state")


@planner("stock_out")
def plan_stock_out(conn: sqlite3.Connection, tag: str, badge: str, due: str | None = None) -> Plan:
    asset = assets.get(conn, tag)
    who = assets.person(conn, validate.badge(badge))
    if asset.status != "IN_STOCK":
        raise _blocked(asset, "stock out")
    if due is not None:
        due = validate.date(due)
        if due < _dt.date.today().isoformat():
            raise InvalidInput(f"due date {due} is in the past")
    changes: tuple[tuple[str, Any], ...] = (
        ("status", "IN_CUSTODY"),
        ("custodian", who.badge),
        ("due", due),
    )
    if asset.home is None and asset.slot is not None:
        changes += assets.home_changes(asset.slot)
    return Plan(
        "stock_out",
        (("tag", tag), ("badge", badge), ("due", due)),
        asset.tag,
        asset.state(),
        asset.slot,
        None,
        who.badge,
        who.name,
        changes,
        summary=f"{asset.tag} -> {who.name}",
    )


@planner("stock_in")
def plan_stock_in(conn: sqlite3.Connection, tag: str, slot: SlotRef | None = None) -> Plan:
    asset = assets.get(conn, tag)
    if asset.status in ("RETIRED",) or (asset.status == "IN_STOCK" and asset.slot is not None):
        where = f" in {asset.slot}" if asset.slot else ""
        raise HardStop(f"cannot stock in: {asset.tag} is {asset.status}{where}", code="wrong_state")
    target = slot or asset.home
    if target is None:
        raise HardStop(f"{asset.tag} has no home slot; name a slot", code="no_home")
    slots.require_empty(conn, target)
    changes: tuple[tuple[str, Any], ...] = (("status", "IN_STOCK"), *_RELEASE)
    if asset.home is None:
        changes += assets.home_changes(target)
    holder = asset.custodian_name or asset.status
    return Plan(
        "stock_in",
        (("tag", tag), ("slot", slot)),
        asset.tag,
        asset.state(),
        None,
        target,
        asset.custodian,
        asset.custodian_name,
        changes,
        summary=f"{asset.tag} <- {holder}, into {target}",
    )


def _transition(op: str, status: str, allowed: tuple[str, ...], doing: str):
    """A planner for a plain status change that leaves the slot and custody."""

    def plan(conn: sqlite3.Connection, tag: str) -> Plan:
        asset = assets.get(conn, tag)
        if asset.status not in allowed:
            raise _blocked(asset, doing)
        changes: tuple[tuple[str, Any], ...] = (("status", status), *_RELEASE)
        if status == "RETIRED":
            changes += assets.home_changes(None)
        return Plan(
            op,
            (("tag", tag),),
            asset.tag,
            asset.state(),
            asset.slot,
            None,
            asset.custodian,
            asset.custodian_name,
            changes,
            summary=f"{asset.tag}: {asset.status} -> {status}",
        )

    plan.__name__ = f"plan_{op}"
    plan.__doc__ = f"{'/'.join(allowed)} -> {status}, leaving any slot and custody."
    return planner(op)(plan)


plan_repair = _transition("repair", "REPAIR", ("IN_STOCK", "IN_CUSTODY"), "send to repair")
plan_retire = _transition("retire", "RETIRED", ("IN_STOCK", "REPAIR", "LOST"), "retire")
plan_lost = _transition("lost", "LOST", ("IN_STOCK", "IN_CUSTODY", "REPAIR"), "mark lost")
plan_found = _transition("found", "IN_STOCK", ("LOST",), "mark found")


# -- public operations ----------------------------------------------------------


def due_in(days: int) -> str:
    if days < 0:
        raise InvalidInput("--days must be 0 or more")
    return (_dt.date.today() + _dt.timedelta(days=days)).isoformat()


def stock_out(db: Any, tag: str, badge: str, actor: str, due: str | None = None) -> Plan:
    return execute(db, "stock_out", actor, tag=validate.tag(tag), badge=badge, due=due)


def stock_in(db: Any, tag: str, actor: str, slot: SlotRef | None = None) -> Plan:
    return execute(db, "stock_in", actor, tag=validate.tag(tag), slot=slot)


def change_status(db: Any, op: str, tag: str, actor: str) -> Plan:
    """``op`` is one of repair, retire, lost, found."""
    if op not in ("repair", "retire", "lost", "found"):
        raise ValueError(op)
    return execute(db, op, actor, tag=validate.tag(tag))
