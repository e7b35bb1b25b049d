"""Fleet questions answered centrally, even while a kiosk is offline.

Each answer says *as of when*: a kiosk's state is what it had shipped by
its last sync (``last_sync``: the last time it was caught up).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from kiosk.errors import NotFound
from kiosk.store import events

_ALERTS_SHOWN = 20


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def status(conn: Any) -> list[dict[str, Any]]:
    """Per kiosk: events received, head, last event and sync, its alerts (newest first)."""
    kiosks = conn.execute(
        "SELECT k.kiosk, k.role, h.head_id, h.head_hash, h.last_event, k.last_sync "
        "FROM fleet.kiosks k JOIN fleet.heads h USING (kiosk) ORDER BY kiosk"
    ).fetchall()
    alerts: dict[str, list[dict[str, Any]]] = {}
    for kiosk, ident, raised, kind, first_id, last_id, message in conn.execute(
        "SELECT kiosk, id, raised, kind, first_id, last_id, message FROM fleet.alerts "
        "ORDER BY kiosk, id DESC"
    ):
        alerts.setdefault(kiosk, [])
        if len(alerts[kiosk]) < _ALERTS_SHOWN:
            alerts[kiosk].append(
                {
                    "id": ident,
                    "raised": _iso(raised),
                    "kind": kind,
                    "first_id": first_id,
                    "last_id": last_id,
                    "message": message,
                }  # fmt: skip
            )
    return [
        {
            "kiosk": kiosk,
            "role": role,
            "events": head_id,
            "head": head_hash,
            "last_event": _iso(last_event),
            "last_sync": _iso(last_sync),
            "alerts": alerts.get(kiosk, []),
        }
        for kiosk, role, head_id, head_hash, last_event, last_sync in kiosks
    ]


_ASSET = """
SELECT a.tag, a.kiosk, a.slot, a.status, a.custodian, p.name, a.due, a.home, a.name,
       a.event_id, a.synced_at, k.last_sync
FROM fleet.assets a
JOIN fleet.kiosks k ON k.kiosk = a.kiosk
LEFT JOIN fleet.people p ON p.kiosk = a.kiosk AND p.badge = a.custodian
"""


def _asset(row: tuple[Any, ...]) -> dict[str, Any]:
    tag, kiosk, slot, status_, custodian, custodian_name, due, home, name = row[:9]
    event_id, synced_at, last_sync = row[9:]
    return {
        "tag": tag,
        "kiosk": kiosk,
        "slot": slot,
        "status": status_,
        "custodian": custodian,
        "custodian_name": custodian_name,
        "due": due,
        "home": home,
        "name": name,
        "event_id": event_id,
        "synced_at": _iso(synced_at),
        "as_of": _iso(last_sync or synced_at),
    }


def where(conn: Any, tag: str) -> dict[str, Any]:
    """The asset's newest state anywhere, plus any other kiosk that knows the tag.

    A laptop retired in one room and registered in another is known to
    both; the one whose event arrived last comes first.
    """
    rows = conn.execute(
        _ASSET + "WHERE a.tag = %s ORDER BY a.synced_at DESC, a.kiosk", (tag,)
    ).fetchall()
    if not rows:
        raise NotFound(f"unknown asset {tag} in the central ledger")
    found = _asset(rows[0])
    found["elsewhere"] = [_asset(r) for r in rows[1:]]
    return found


def overdue(conn: Any, today: str) -> list[dict[str, Any]]:
    """Assets in custody with a due date before ``today`` (YYYY-MM-DD), at every kiosk."""
    rows = conn.execute(
        _ASSET + "WHERE a.status = 'IN_CUSTODY' AND a.due < %s ORDER BY a.due, a.kiosk, a.tag",
        (today,),
    ).fetchall()
    return [_asset(r) for r in rows]


def verify(conn: Any) -> list[dict[str, Any]]:
    """Walk every kiosk's chain in the central ledger, with the kiosk's own code.

    The hashes are recomputed here by :func:`kiosk.store.events.walk`, not
    by the server, so a fault in the server's arrival check would show.
    """
    kiosks = conn.execute("SELECT kiosk, head_id, head_hash FROM fleet.heads ORDER BY kiosk")
    kiosks = kiosks.fetchall()
    found = []
    for kiosk, head_id, head_hash in kiosks:
        verdict = events.walk(_ledger(conn, kiosk))
        ok, reason = verdict.ok, verdict.reason
        if ok and (verdict.count, verdict.head) != (head_id, head_hash):
            ok, reason = False, f"the stored head (event {head_id}) is not the chain's end"
        found.append(
            {
                "kiosk": kiosk,
                "ok": ok,
                "events": verdict.count,
                "head": verdict.head,
                "bad_id": verdict.bad_id,
                "reason": reason,
            }  # fmt: skip
        )
    return found


def _ledger(conn: Any, kiosk: str) -> Iterator[tuple[Any, ...]]:
    # A server-side cursor: a kiosk's ledger may not fit in memory.
    with conn.transaction(), conn.cursor(name="fleet_verify") as cur:
        cur.itersize = 5000
        cur.execute(
            "SELECT id, time, actor, op, asset, from_slot, to_slot, person, details, "
            "prev_hash, hash FROM fleet.ledger WHERE kiosk = %s ORDER BY id",
            (kiosk,),
        )
        yield from cur
