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

It runs inside the server, in the same transaction as the event's insert
(called by ``fleet.accept()``, see :mod:`kiosk.fleet.schema`), so the
derived state can never disagree with the ledger, and a kiosk's role needs
no write access to it at all.
"""

from __future__ import annotations

FUNCTION = """
CREATE FUNCTION fleet.derive(e fleet.ledger) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    d jsonb := e.details::jsonb;
    v_status text;
    v_slot text;
    v_custodian text;
    v_due text;
    v_home text := CASE WHEN d ->> 'home_case' IS NULL THEN NULL
                        ELSE (d ->> 'home_case') || ':' || (d ->> 'home_pos') END;
BEGIN
    CASE e.op
    WHEN 'person_add' THEN
        INSERT INTO fleet.people AS p (kiosk, badge, name)
            VALUES (e.kiosk, e.person, coalesce(d ->> 'name', e.person))
            ON CONFLICT (kiosk, badge) DO UPDATE SET name = EXCLUDED.name;
        RETURN;
    WHEN 'person_remove' THEN
        DELETE FROM fleet.people WHERE kiosk = e.kiosk AND badge = e.person;
        RETURN;
    WHEN 'update' THEN
        UPDATE fleet.assets SET name = coalesce(d ->> 'name', name), event_id = e.id,
               event_time = e.time, synced_at = e.received
            WHERE kiosk = e.kiosk AND tag = e.asset;
        RETURN;
    WHEN 'add', 'assign', 'move', 'stock_in' THEN
        v_status := 'IN_STOCK';
        v_slot := e.to_slot;
    WHEN 'vacate', 'found' THEN
        v_status := 'IN_STOCK';
    WHEN 'stock_out' THEN
        v_status := 'IN_CUSTODY';
        v_custodian := e.person;
        v_due := d ->> 'due';
    WHEN 'repair' THEN
        v_status := 'REPAIR';
    WHEN 'retire' THEN
        v_status := 'RETIRED';
    WHEN 'lost' THEN
        v_status := 'LOST';
    ELSE
        RETURN;
    END CASE;
    IF e.asset IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO fleet.assets AS a (kiosk, tag, name, status, slot, home, custodian, due,
                                   event_id, event_time, synced_at)
        VALUES (e.kiosk, e.asset, coalesce(d ->> 'name', ''), v_status, v_slot, v_home,
                v_custodian, v_due, e.id, e.time, e.received)
        ON CONFLICT (kiosk, tag) DO UPDATE SET
            status = EXCLUDED.status, slot = EXCLUDED.slot, custodian = EXCLUDED.custodian,
            due = EXCLUDED.due, event_id = EXCLUDED.event_id,
            event_time = EXCLUDED.event_time, synced_at = EXCLUDED.synced_at,
            home = CASE WHEN d ? 'home_case' THEN EXCLUDED.home ELSE a.home END,
            name = CASE WHEN d ? 'name' THEN EXCLUDED.name ELSE a.name END;
END $$;
"""
