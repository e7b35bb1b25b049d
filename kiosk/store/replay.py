"""Replay: the tables rebuilt from the event log alone, and what differs.

Every change appends its event in the same transaction, so replaying the
log from an empty database must give exactly the ``assets``, ``slots`` and
``people`` tables. A row changed behind the log's back (``UPDATE assets SET
status='IN_STOCK', custodian=NULL``), a tail of events deleted, an event
forged into a valid chain that does not fit the state: each shows as a
difference naming the asset, slot or person.

:data:`KINDS` is the one place that knows what each event kind means; the
importer, the fleet sync and anything else that derives state from events
use it rather than a copy. Every event has the columns ``asset``,
``from_slot``, ``to_slot`` (``CASE:POS``) and ``person``; ``details`` is a
JSON object whose keys depend on the kind (``Kind.details`` says which):

======================  =====================================================
``add``                 a new asset, ``IN_STOCK``: details ``name``, ``model``,
                        ``serial``, ``notes``, ``home_case``, ``home_pos``,
                        ``snipeit_id`` when imported with one; ``to_slot``
                        when it went straight into a slot
``update``              the fields that changed (any of ``name``, ``model``,
                        ``serial``, ``notes``, ``snipeit_id``)
``assign``/``move``     the asset leaves ``from_slot`` (move), takes
                        ``to_slot``; ``home_case``/``home_pos`` when its home
                        changed
``vacate``              the asset leaves ``from_slot``, stays ``IN_STOCK``
``stock_out``           leaves ``from_slot``; ``IN_CUSTODY`` of ``person``;
                        details ``due`` (and home, set from the slot it left)
``stock_in``            takes ``to_slot``; ``IN_STOCK``, no custodian;
                        details ``due`` (null), home when it had none
``repair``/``retire``/  the status ``REPAIR``/``RETIRED``/``LOST``/``IN_STOCK``;
``lost``/``found``      leaves ``from_slot``, no custodian; details ``due``
                        (null), ``home_case``/``home_pos`` (null) for retire
``person_add``          badge ``person``, details ``name``
``person_remove``       badge ``person`` (details ``name``, for the reader)
``case_init``           details ``case``, ``slots`` (the new size), ``was``:
                        slots ``was+1..slots`` added or ``slots+1..was`` removed
``restore``             none: the log before it *is* the restored one; details
                        ``source``, ``events``, ``replaced_head``
======================  =====================================================

What cannot be replayed, and is said so instead of guessed: the rows a
schema-1 database held before the log existed (the version-2 migration made
its slotted tags into assets without events: they show as "not in the
log"), an event of a kind this code does not know, and an event lacking a
detail its kind needs (named with the event's id). ``created`` and
``updated`` times are not compared: they are stamped apart from the event.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

#: The asset columns the log determines, in table order.
ASSET_FIELDS = (
    "name", "model", "serial", "status", "home_case", "home_pos", "custodian", "due", "notes",
    "snipeit_id",
)  # fmt: skip
_ASSETS_SQL = (  # the columns of ASSET_FIELDS, in its order
    "SELECT tag, name, model, serial, status, home_case, home_pos, custodian, due, notes, "
    "snipeit_id FROM assets"
)
_DESCRIPTIVE = frozenset(
    {"name", "model", "serial", "notes", "home_case", "home_pos", "due", "snipeit_id"}
)
_NEW_ASSET: dict[str, object] = {
    "name": "", "model": "", "serial": "", "status": "IN_STOCK", "home_case": None,
    "home_pos": None, "custodian": None, "due": None, "notes": "", "snipeit_id": None,
}  # fmt: skip

Slot = tuple[str, int]
#: An event as replay reads it: id, op, asset, from_slot, to_slot, person, details.
Event = tuple[int, str, str | None, str | None, str | None, str | None, str]


@dataclass
class State:
    """The tables as the log says they are, and the events that did not fit."""

    assets: dict[str, dict[str, object]] = field(default_factory=dict)
    slots: dict[Slot, str | None] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    events: int = 0

    def problem(self, event: Event, text: str) -> None:
        self.problems.append(f"event {event[0]} ({event[1]}): {text}")


#: How an event kind changes the state: ``apply(state, event, details)``.
Apply = Callable[[State, Event, dict[str, object]], None]


@dataclass(frozen=True)
class Kind:
    """One event kind: what its details hold and how it changes the state."""

    #: The columns and ``details`` keys its events carry, by their stored names.
    details: str
    apply: Apply
    #: Detail keys without which the event cannot be replayed.
    needs: tuple[str, ...] = ()


def _slot(text: str) -> Slot:
    case, _, pos = text.rpartition(":")
    return case, int(pos)


def _leave(state: State, event: Event, tag: str) -> None:
    if event[3] is None:
        return
    ref = _slot(event[3])
    if state.slots.get(ref) != tag:
        state.problem(event, f"{tag} was not in slot {event[3]}")
    if ref in state.slots:
        state.slots[ref] = None


def _take(state: State, event: Event, tag: str) -> None:
    if event[4] is None:
        return
    ref = _slot(event[4])
    if ref not in state.slots:
        state.problem(event, f"slot {event[4]} does not exist")
    elif state.slots[ref] is not None:
        state.problem(event, f"slot {event[4]} already holds {state.slots[ref]}")
    state.slots[ref] = tag


def _asset_change(
    status: str | None, custodian: str
) -> Callable[[State, Event, dict[str, object]], None]:
    """An asset operation: leave a slot, set columns (and status/custodian), take a slot.

    ``custodian`` is ``"person"`` (the event's person), ``"none"`` or ``"keep"``.
    """

    def apply(state: State, event: Event, details: dict[str, object]) -> None:
        tag = event[2]
        asset = state.assets.get(tag) if tag is not None else None
        if tag is None or asset is None:
            state.problem(event, f"unknown asset {tag}")
            return
        _leave(state, event, tag)
        for key, value in details.items():
            if key in _DESCRIPTIVE:
                asset[key] = value
        if status is not None:
            asset["status"] = status
        if custodian == "person":
            asset["custodian"] = event[5]
        elif custodian == "none":
            asset["custodian"] = None
            asset["due"] = None
        _take(state, event, tag)

    return apply


def _add(state: State, event: Event, details: dict[str, object]) -> None:
    tag = event[2]
    if tag is None or tag in state.assets:
        state.problem(event, f"asset {tag} added twice" if tag else "no asset named")
        return
    state.assets[tag] = {**_NEW_ASSET, **{k: v for k, v in details.items() if k in _DESCRIPTIVE}}
    _take(state, event, tag)


def _person_add(state: State, event: Event, details: dict[str, object]) -> None:
    if event[5] is None or event[5] in state.people:
        state.problem(event, f"person {event[5]} added twice")
    state.people[str(event[5])] = str(details["name"])


def _person_remove(state: State, event: Event, details: dict[str, object]) -> None:
    if state.people.pop(str(event[5]), None) is None:
        state.problem(event, f"person {event[5]} removed but never added")


def _case_init(state: State, event: Event, details: dict[str, object]) -> None:
    case, size, was = str(details["case"]), int(str(details["slots"])), int(str(details["was"]))
    for pos in range(was + 1, size + 1):
        state.slots[(case, pos)] = None
    for pos in range(size + 1, was + 1):
        if state.slots.pop((case, pos), None) is not None:
            state.problem(event, f"slot {case}:{pos} removed while holding an asset")


def _nothing(state: State, event: Event, details: dict[str, object]) -> None:
    """The event records something that changes no table."""


_STOCK = _asset_change(None, "keep")
_OUT = _asset_change("IN_CUSTODY", "person")


def _to(status: str) -> Apply:
    return _asset_change(status, "none")


#: Every event kind, by its ``op``: the one description of what the log means.
KINDS: dict[str, Kind] = {
    "add": Kind("name, model, serial, notes, home_case, home_pos; to_slot if placed; "
                "snipeit_id, snipeit_status if imported", _add),
    "update": Kind("name, model, serial, notes, snipeit_id: those that changed", _STOCK),
    "assign": Kind("to_slot; home_case, home_pos if the home changed", _STOCK),
    "move": Kind("from_slot, to_slot; home_case, home_pos if the home changed", _STOCK),
    "vacate": Kind("from_slot", _STOCK),
    "stock_out": Kind("from_slot, person; due; home_case, home_pos if it had none", _OUT),
    "stock_in": Kind("to_slot, person (who returned it); due (null); "
                     "home_case, home_pos if it had none", _to("IN_STOCK")),
    "repair": Kind("due (null); from_slot, person if held", _to("REPAIR")),
    "retire": Kind("due, home_case, home_pos (all null); from_slot", _to("RETIRED")),
    "lost": Kind("due (null); from_slot, person if held", _to("LOST")),
    "found": Kind("due (null)", _to("IN_STOCK")),
    "person_add": Kind("person; name", _person_add, needs=("name",)),
    "person_remove": Kind("person; name", _person_remove),
    "case_init": Kind("case, slots, was", _case_init, needs=("case", "slots", "was")),
    "restore": Kind("source, events; replaced_head if a log was replaced", _nothing),
}  # fmt: skip

_EVENTS_SQL = "SELECT id, op, asset, from_slot, to_slot, person, details FROM events ORDER BY id"
#: Details texts shorter than this are parsed once and shared: most events
#: carry the same few (``{"due":null}``), and parsing is most of a replay.
_SHARED_BELOW = 80
_SHARED_MAX = 4096


def replay(conn: sqlite3.Connection) -> State:
    """The state the whole log describes, from an empty database."""
    state = State()
    shared: dict[str, dict[str, object]] = {}
    kinds = KINDS
    count = 0
    for event in conn.execute(_EVENTS_SQL):
        count += 1
        kind = kinds.get(event[1])
        if kind is None:
            state.problem(event, "unknown kind: cannot be replayed")
            continue
        raw = event[6]
        details = shared.get(raw)
        if details is None:
            details = _parse(raw)
            if details is None:
                state.problem(event, "details are not a JSON object: cannot be replayed")
                continue
            if len(raw) < _SHARED_BELOW and len(shared) < _SHARED_MAX:
                shared[raw] = details
        if kind.needs:
            lacking = [k for k in kind.needs if k not in details]
            if lacking:
                state.problem(event, f"lacks {', '.join(lacking)}: cannot be replayed")
                continue
        try:
            kind.apply(state, event, details)
        except (ValueError, TypeError) as err:
            # A forged event can carry anything in a valid chain: name it, go on.
            state.problem(event, f"cannot be replayed: {err}")
    state.events = count
    return state


def _parse(raw: str) -> dict[str, object] | None:
    try:
        found = json.loads(raw)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


@dataclass(frozen=True)
class Difference:
    """A row whose stored state is not the replayed one."""

    table: str  # asset | slot | person | event
    subject: str
    text: str

    def __str__(self) -> str:
        return f"{self.table} {self.subject}: {self.text}" if self.subject else self.text


def _show(value: object) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


def compare(conn: sqlite3.Connection) -> tuple[State, list[Difference]]:
    """Replay the log and compare with the tables (inside one read transaction)."""
    state = replay(conn)
    found = [Difference("event", "", p) for p in state.problems]
    found += _compare_assets(conn, state)
    found += _compare_slots(conn, state)
    found += _compare_people(conn, state)
    return state, found


def _compare_assets(conn: sqlite3.Connection, state: State) -> list[Difference]:
    found = []
    seen = set()
    for tag, *values in conn.execute(_ASSETS_SQL):
        seen.add(tag)
        logged = state.assets.get(tag)
        if logged is None:
            found.append(Difference("asset", tag, "not in the log"))
            continue
        wrong = [
            f"{name} {_show(have)}, the log says {_show(logged[name])}"
            for name, have in zip(ASSET_FIELDS, values, strict=True)
            if have != logged[name]
        ]
        if wrong:
            found.append(Difference("asset", tag, "; ".join(wrong)))
    found += [
        Difference("asset", tag, "in the log, missing from the table")
        for tag in sorted(state.assets.keys() - seen)
    ]
    return found


def _compare_slots(conn: sqlite3.Connection, state: State) -> list[Difference]:
    found = []
    seen = set()
    rows = conn.execute("SELECT case_name, slot_position, current_asset_tag FROM slots")
    for case, pos, tag in rows:
        ref = (case, pos)
        seen.add(ref)
        if ref not in state.slots:
            found.append(Difference("slot", f"{case}:{pos}", "not in the log"))
        elif state.slots[ref] != tag:
            have, want = tag or "empty", state.slots[ref] or "empty"
            found.append(Difference("slot", f"{case}:{pos}", f"holds {have}, the log says {want}"))
    found += [
        Difference("slot", f"{case}:{pos}", "in the log, missing from the table")
        for case, pos in sorted(state.slots.keys() - seen)
    ]
    return found


def _compare_people(conn: sqlite3.Connection, state: State) -> list[Difference]:
    found = []
    seen = set()
    for badge, name in conn.execute("SELECT badge, name FROM people"):
        seen.add(badge)
        if badge not in state.people:
            found.append(Difference("person", badge, "not in the log"))
        elif state.people[badge] != name:
            found.append(
                Difference("person", badge, f"name {name!r}, the log says {state.people[badge]!r}")
            )
    found += [
        Difference("person", badge, "in the log, missing from the table")
        for badge in sorted(state.people.keys() - seen)
    ]
    return found
