"""Central asset state, derived from each event as the server accepts it.

This is the one place that says what an event means for where an asset is.
It reads only what a kiosk's events carry today (see
``kiosk/domain/operations.py``: an asset event has ``asset``, ``from_slot``,
``to_slot``, ``person`` and ``details`` = the plan's column changes other
than status and custodian):

============  =====================================================  ============
op            effect on ``fleet.assets`` (kiosk, tag)                 from
============  =====================================================  ============
add           IN_STOCK, slot = to_slot (or none), name, home          intake.py
update        name (when it changed); nothing else                    intake.py
assign, move  IN_STOCK, slot = to_slot; home when it moved with it    placement.py
vacate        IN_STOCK, no slot                                       placement.py
stock_out     IN_CUSTODY with ``person``, due = details.due, no slot  custody.py
stock_in      IN_STOCK, slot = to_slot, no custodian, no due          custody.py
repair        REPAIR, no slot, no custodian, no due                   custody.py
retire        RETIRED, no slot, no custodian, no due, no home         custody.py
lost          LOST, no slot, no custodian, no due                     custody.py
found         IN_STOCK, no slot                                       custody.py
person_add    ``fleet.people`` (kiosk, badge) = details.name          people.py
person_remove that person's row goes                                  people.py
case_init,    nothing but the ledger                                  slots.py,
restore, any                                                          backup.py
other op
============  =====================================================  ============

Every asset event states the asset's whole status, slot, custodian and due
(each operation sets or clears all four), so the state needs no event but
the newest one; the home and the name change only when ``details`` carries
``home_case`` / ``name``. A kind of event this version does not know stays
in the ledger untouched, and a later version can derive it again from there.

It runs inside the server, in the same transaction as the events' insert:
once per INSERT statement (a sync's batch), over the rows the statement
stored (a transition table), after ``fleet.accept()`` has checked each of
them (see :mod:`kiosk.fleet.schema`). So the derived state can never
disagree with the ledger, a kiosk's role needs no write access to it, and a
batch costs one upsert per asset it touches rather than one per event.
"""

from __future__ import annotations

# Per asset, only the newest event of the batch that says each thing counts:
# the newest state event for status/slot/custodian/due, the newest carrying
# "name", the newest carrying "home_case", the newest of all for event_id.
_EVENTS = """
    SELECT kiosk, id, op, asset, to_slot, person, time, received, details::jsonb AS d
    FROM arrived
    WHERE asset IS NOT NULL AND op IN ('add', 'update', 'assign', 'move', 'vacate',
          'stock_out', 'stock_in', 'repair', 'retire', 'lost', 'found')
"""

FUNCTION = f"""
CREATE FUNCTION fleet.derive() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = fleet, pg_temp AS $$
BEGIN
    WITH last AS (
        SELECT DISTINCT ON (kiosk, person) kiosk, person, op, details::jsonb ->> 'name' AS name
        FROM arrived WHERE op IN ('person_add', 'person_remove') AND person IS NOT NULL
        ORDER BY kiosk, person, id DESC
    ), gone AS (
        DELETE FROM fleet.people p USING last l
        WHERE l.op = 'person_remove' AND p.kiosk = l.kiosk AND p.badge = l.person
    )
    INSERT INTO fleet.people (kiosk, badge, name)
        SELECT kiosk, person, coalesce(name, person) FROM last WHERE op = 'person_add'
        ON CONFLICT (kiosk, badge) DO UPDATE SET name = EXCLUDED.name;

    WITH ev AS ({_EVENTS}), state AS (
        SELECT DISTINCT ON (kiosk, asset) * FROM ev WHERE op <> 'update'
        ORDER BY kiosk, asset, id DESC
    )
    INSERT INTO fleet.assets AS a (kiosk, tag, name, status, slot, home, custodian, due,
                                   event_id, event_time, synced_at)
        SELECT kiosk, asset, coalesce(d ->> 'name', ''),
               CASE op WHEN 'stock_out' THEN 'IN_CUSTODY' WHEN 'repair' THEN 'REPAIR'
                       WHEN 'retire' THEN 'RETIRED' WHEN 'lost' THEN 'LOST'
                       ELSE 'IN_STOCK' END,
               CASE WHEN op IN ('add', 'assign', 'move', 'stock_in') THEN to_slot END,
               NULL,
               CASE WHEN op = 'stock_out' THEN person END,
               CASE WHEN op = 'stock_out' THEN d ->> 'due' END,
               id, time, received
        FROM state
        ON CONFLICT (kiosk, tag) DO UPDATE SET
            status = EXCLUDED.status, slot = EXCLUDED.slot, custodian = EXCLUDED.custodian,
            due = EXCLUDED.due;

    WITH ev AS ({_EVENTS})
    UPDATE fleet.assets a SET name = n.name
        FROM (SELECT DISTINCT ON (kiosk, asset) kiosk, asset, d ->> 'name' AS name
              FROM ev WHERE d ? 'name' ORDER BY kiosk, asset, id DESC) n
        WHERE a.kiosk = n.kiosk AND a.tag = n.asset;

    WITH ev AS ({_EVENTS})
    UPDATE fleet.assets a SET home = h.home
        FROM (SELECT DISTINCT ON (kiosk, asset) kiosk, asset,
                     CASE WHEN d ->> 'home_case' IS NULL THEN NULL
                          ELSE (d ->> 'home_case') || ':' || (d ->> 'home_pos') END AS home
              FROM ev WHERE d ? 'home_case' ORDER BY kiosk, asset, id DESC) h
        WHERE a.kiosk = h.kiosk AND a.tag = h.asset;

    WITH ev AS ({_EVENTS})
    UPDATE fleet.assets a SET event_id = w.id, event_time = w.time, synced_at = w.received
        FROM (SELECT DISTINCT ON (kiosk, asset) kiosk, asset, id, time, received
              FROM ev ORDER BY kiosk, asset, id DESC) w
        WHERE a.kiosk = w.kiosk AND a.tag = w.asset;
    RETURN NULL;
END $$;
"""
