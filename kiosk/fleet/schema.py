"""The central schema: one ledger of every kiosk's events, checked by the server.

Everything lives in the PostgreSQL schema ``fleet``:

``fleet.kiosks``
    One row per registered kiosk: its id, the PostgreSQL role it connects
    as, when it last was caught up. Its row lock serialises the kiosk's
    senders. ``fleet.heads`` gives each kiosk's *head* (id and hash of its
    newest event received): the sync's cursor, and, off the kiosk, the pin
    of the kiosk's whole history.
``fleet.ledger``
    Every event of every kiosk, as the kiosk's log holds it, keyed by
    (kiosk, id). Append-only: no role is granted UPDATE, DELETE or TRUNCATE,
    and triggers refuse them even to the owner.
``fleet.alerts``
    Forks and rollbacks refused at arrival. Written by the refused kiosk in
    a transaction of its own, so the refusal's rollback does not erase it.
``fleet.assets``, ``fleet.people``
    State derived from the events by :mod:`kiosk.fleet.derive`.

The server, not the client, guards the chain: a BEFORE INSERT trigger
(``fleet.accept()``) takes the kiosk's row lock, refuses a row of another
kiosk's, skips an event it already holds with every column equal (a re-sent
batch changes nothing), refuses one that differs (a fork) or that does not
continue the previous event's hash, and recomputes the event's SHA-256
exactly as :func:`kiosk.store.events.digest` does. A kiosk role that
bypasses ``assettrack sync`` gets no further.

Roles: ``assettrack_kiosk`` (each kiosk's login role is a member) may insert
only its own events, read only its own head and events, and raise alerts
about itself -- row-level security keys all of it on ``current_user``.
``assettrack_reader`` reads everything (staff asking ``fleet where``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kiosk.errors import InvalidInput
from kiosk.fleet import derive
from kiosk.sanitize import clean

if TYPE_CHECKING:
    import psycopg

GENESIS = "0" * 64
KIOSK_ROLE = "assettrack_kiosk"
READER_ROLE = "assettrack_reader"
KIOSK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# SQLSTATEs the server raises; the client turns them into hard stops.
FORK, GAP, BAD_HASH, UNREGISTERED, APPEND_ONLY = "AT409", "AT410", "AT422", "AT404", "AT403"

_ROLES = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{KIOSK_ROLE}') THEN
        CREATE ROLE {KIOSK_ROLE} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN
        CREATE ROLE {READER_ROLE} NOLOGIN;
    END IF;
END $$
"""

_TABLES = """
CREATE TABLE fleet.kiosks (
    kiosk      text PRIMARY KEY CHECK (kiosk ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    role       name NOT NULL UNIQUE,
    registered timestamptz NOT NULL DEFAULT now(),
    last_sync  timestamptz
);

CREATE TABLE fleet.ledger (
    kiosk     text   NOT NULL REFERENCES fleet.kiosks (kiosk),
    id        bigint NOT NULL CHECK (id >= 1),
    time      text   NOT NULL,
    actor     text   NOT NULL,
    op        text   NOT NULL,
    asset     text,
    from_slot text,
    to_slot   text,
    person    text,
    details   text   NOT NULL,
    prev_hash text   NOT NULL,
    hash      text   NOT NULL,
    received  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kiosk, id)
);

CREATE TABLE fleet.alerts (
    id       bigserial PRIMARY KEY,
    kiosk    text NOT NULL REFERENCES fleet.kiosks (kiosk),
    raised   timestamptz NOT NULL DEFAULT now(),
    kind     text NOT NULL CHECK (kind IN ('fork', 'rollback', 'broken')),
    first_id bigint,
    last_id  bigint,
    message  text NOT NULL
);
CREATE INDEX alerts_kiosk ON fleet.alerts (kiosk, id);

CREATE TABLE fleet.assets (
    kiosk      text NOT NULL REFERENCES fleet.kiosks (kiosk),
    tag        text NOT NULL,
    name       text NOT NULL DEFAULT '',
    status     text NOT NULL,
    slot       text,
    home       text,
    custodian  text,
    due        text,
    event_id   bigint NOT NULL,
    event_time text NOT NULL,
    synced_at  timestamptz NOT NULL,
    PRIMARY KEY (kiosk, tag)
);
CREATE INDEX assets_tag ON fleet.assets (tag);
CREATE INDEX assets_due ON fleet.assets (due) WHERE due IS NOT NULL;

CREATE TABLE fleet.people (
    kiosk text NOT NULL REFERENCES fleet.kiosks (kiosk),
    badge text NOT NULL,
    name  text NOT NULL,
    PRIMARY KEY (kiosk, badge)
);
"""

# The canonical form of kiosk.store.events.digest: compact JSON of the row's
# first ten columns. to_json() escapes text exactly as Python's json module
# does with ensure_ascii=False (", \\, \\b\\f\\n\\r\\t, other controls as \\u00xx).
_FUNCTIONS = f"""
CREATE FUNCTION fleet.canonical(e fleet.ledger) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '[' || e.id::text
        || ',' || to_json(e.time)::text || ',' || to_json(e.actor)::text
        || ',' || to_json(e.op)::text
        || ',' || coalesce(to_json(e.asset)::text, 'null')
        || ',' || coalesce(to_json(e.from_slot)::text, 'null')
        || ',' || coalesce(to_json(e.to_slot)::text, 'null')
        || ',' || coalesce(to_json(e.person)::text, 'null')
        || ',' || to_json(e.details)::text || ',' || to_json(e.prev_hash)::text || ']'
$$;

-- The head of each kiosk: its newest event (one index probe per kiosk).
CREATE VIEW fleet.heads AS
    SELECT k.kiosk, coalesce(e.id, 0) AS head_id, coalesce(e.hash, '{GENESIS}') AS head_hash,
           e.received AS last_event, k.last_sync
    FROM fleet.kiosks k
    LEFT JOIN LATERAL (SELECT id, hash, received FROM fleet.ledger l WHERE l.kiosk = k.kiosk
                       ORDER BY id DESC LIMIT 1) e ON true;

CREATE FUNCTION fleet.my_kiosk() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT kiosk FROM fleet.kiosks WHERE role = current_user
$$;

CREATE FUNCTION fleet.accept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = fleet, pg_temp AS $$
DECLARE
    sender name;
    held fleet.ledger%ROWTYPE;
    prev text := '{GENESIS}';
BEGIN
    -- The per-kiosk lock: concurrent senders of one kiosk queue here. The
    -- row is only locked, never updated, so taking it again per row is cheap.
    SELECT role INTO sender FROM fleet.kiosks WHERE kiosk = NEW.kiosk FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kiosk % is not registered', NEW.kiosk
            USING ERRCODE = '{UNREGISTERED}', DETAIL = NEW.id::text;
    END IF;
    -- Row-level security checks the row after this trigger has run: refuse
    -- another kiosk's row first, before anything about it is looked at.
    IF NOT pg_has_role(session_user, sender, 'MEMBER') THEN
        RAISE EXCEPTION 'permission denied: events of kiosk % come from role % only',
            NEW.kiosk, sender USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO held FROM fleet.ledger WHERE kiosk = NEW.kiosk AND id = NEW.id;
    IF FOUND THEN
        IF (held.time, held.actor, held.op, held.asset, held.from_slot, held.to_slot,
            held.person, held.details, held.prev_hash, held.hash)
           IS NOT DISTINCT FROM
           (NEW.time, NEW.actor, NEW.op, NEW.asset, NEW.from_slot, NEW.to_slot,
            NEW.person, NEW.details, NEW.prev_hash, NEW.hash) THEN
            RETURN NULL;  -- already received: a re-sent event changes nothing
        END IF;
        RAISE EXCEPTION 'kiosk %: event % differs from the one received before',
            NEW.kiosk, NEW.id USING ERRCODE = '{FORK}', DETAIL = NEW.id::text;
    END IF;
    -- A kiosk's ledger is always 1..head without a hole, so an id not held
    -- whose predecessor is held is exactly the head's successor.
    IF NEW.id > 1 THEN
        SELECT hash INTO prev FROM fleet.ledger WHERE kiosk = NEW.kiosk AND id = NEW.id - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'kiosk %: event % does not follow the head', NEW.kiosk, NEW.id
                USING ERRCODE = '{GAP}', DETAIL = NEW.id::text;
        END IF;
    END IF;
    IF NEW.prev_hash <> prev THEN
        RAISE EXCEPTION 'kiosk %: event % does not continue the chain at event %',
            NEW.kiosk, NEW.id, NEW.id - 1 USING ERRCODE = '{FORK}', DETAIL = NEW.id::text;
    END IF;
    IF NEW.hash <> encode(sha256(convert_to(fleet.canonical(NEW), 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'kiosk %: event % does not match its hash', NEW.kiosk, NEW.id
            USING ERRCODE = '{BAD_HASH}', DETAIL = NEW.id::text;
    END IF;
    NEW.received := now();
    RETURN NEW;
END $$;

CREATE FUNCTION fleet.append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the central ledger is append-only' USING ERRCODE = '{APPEND_ONLY}';
END $$;

-- The sync's per-kiosk lock and cursor (FOR UPDATE needs an UPDATE grant the
-- kiosk role does not have, so the owner takes the lock on its behalf).
CREATE FUNCTION fleet.lock_head(k text, OUT head_id bigint, OUT head_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = fleet, pg_temp AS $$
BEGIN
    PERFORM FROM fleet.kiosks WHERE kiosk = k AND role = session_user FOR UPDATE;
    IF FOUND THEN
        SELECT h.head_id, h.head_hash INTO head_id, head_hash FROM fleet.heads h
            WHERE h.kiosk = k;
    END IF;
END $$;

CREATE FUNCTION fleet.checkin(k text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = fleet, pg_temp AS $$
    UPDATE fleet.kiosks SET last_sync = now() WHERE kiosk = k AND role = session_user
$$;
"""

_GUARDS = f"""
CREATE TRIGGER ledger_accept BEFORE INSERT ON fleet.ledger
    FOR EACH ROW EXECUTE FUNCTION fleet.accept();
CREATE TRIGGER ledger_derive AFTER INSERT ON fleet.ledger
    REFERENCING NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION fleet.derive();
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON fleet.ledger
    FOR EACH ROW EXECUTE FUNCTION fleet.append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON fleet.ledger
    FOR EACH STATEMENT EXECUTE FUNCTION fleet.append_only();

ALTER TABLE fleet.kiosks ENABLE ROW LEVEL SECURITY;
ALTER TABLE fleet.ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE fleet.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_row ON fleet.kiosks FOR SELECT TO {KIOSK_ROLE}
    USING (role = current_user);
CREATE POLICY own_events ON fleet.ledger FOR SELECT TO {KIOSK_ROLE}
    USING (kiosk = fleet.my_kiosk());
CREATE POLICY own_inserts ON fleet.ledger FOR INSERT TO {KIOSK_ROLE}
    WITH CHECK (kiosk = fleet.my_kiosk());
CREATE POLICY own_alerts ON fleet.alerts FOR INSERT TO {KIOSK_ROLE}
    WITH CHECK (kiosk = fleet.my_kiosk());
CREATE POLICY read_all ON fleet.kiosks FOR SELECT TO {READER_ROLE} USING (true);
CREATE POLICY read_all ON fleet.ledger FOR SELECT TO {READER_ROLE} USING (true);
CREATE POLICY read_all ON fleet.alerts FOR SELECT TO {READER_ROLE} USING (true);

REVOKE ALL ON ALL TABLES IN SCHEMA fleet FROM PUBLIC;
REVOKE ALL ON FUNCTION fleet.checkin(text), fleet.lock_head(text) FROM PUBLIC;
GRANT USAGE ON SCHEMA fleet TO {KIOSK_ROLE}, {READER_ROLE};
GRANT SELECT ON fleet.kiosks TO {KIOSK_ROLE};
GRANT SELECT, INSERT ON fleet.ledger TO {KIOSK_ROLE};
GRANT INSERT ON fleet.alerts TO {KIOSK_ROLE};
GRANT USAGE ON SEQUENCE fleet.alerts_id_seq TO {KIOSK_ROLE};
GRANT EXECUTE ON FUNCTION fleet.checkin(text), fleet.lock_head(text) TO {KIOSK_ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA fleet TO {READER_ROLE};
"""

_META = "CREATE TABLE fleet.meta (key text PRIMARY KEY, value text NOT NULL);"

#: Schema versions and their scripts, applied in order; append, never edit a shipped one.
VERSIONS: list[tuple[int, tuple[str, ...]]] = [
    (1, (_META, _TABLES, derive.FUNCTION, _FUNCTIONS, _GUARDS)),
]
LATEST = VERSIONS[-1][0]


def kiosk_id(value: str) -> str:
    """A kiosk id as the central schema accepts it (``ROOM-1``)."""
    if not KIOSK_ID.fullmatch(value):
        raise InvalidInput(
            f"kiosk id must be 1-32 letters, digits, '.', '_' or '-': {clean(value)!r}"
        )
    return value


def default_role(kiosk: str) -> str:
    """``ROOM-1`` -> ``kiosk_room_1``: a role name that needs no quoting."""
    return "kiosk_" + re.sub(r"[^a-z0-9]+", "_", kiosk.lower()).strip("_")


def role_name(value: str) -> str:
    if not ROLE_NAME.fullmatch(value):
        raise InvalidInput(f"role must be lower-case letters, digits and '_': {clean(value)!r}")
    return value


def version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """The central schema's version (0: not created yet)."""
    row = conn.execute("SELECT to_regclass('fleet.meta') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT value FROM fleet.meta WHERE key = 'version'").fetchone()
    return int(str(found[0])) if found else 0


def install(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[int, int]:
    """Create or upgrade the schema in one transaction; returns (before, after)."""
    with conn.transaction():
        # Two `fleet init`s at once: the second waits, then finds nothing to do.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('assettrack fleet schema'))")
        before = version(conn)
        if before < LATEST:
            conn.execute(_ROLES)
            conn.execute("CREATE SCHEMA IF NOT EXISTS fleet")
            for number, scripts in VERSIONS:
                for sql in scripts if number > before else ():
                    conn.execute(sql.encode())
            conn.execute(
                "INSERT INTO fleet.meta (key, value) VALUES ('version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (str(LATEST),),
            )
    return before, LATEST


def register(conn: psycopg.Connection[tuple[object, ...]], kiosk: str, role: str) -> None:
    """Register ``kiosk`` as connecting with ``role`` (idempotent; a kiosk keeps its role)."""
    with conn.transaction():
        row = conn.execute("SELECT role FROM fleet.kiosks WHERE kiosk = %s", (kiosk,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO fleet.kiosks (kiosk, role) VALUES (%s, %s)", (kiosk, role))
        elif row[0] != role:
            raise InvalidInput(f"kiosk {kiosk} is already registered with role {row[0]}")


def grants(kiosk: str, role: str) -> str:
    """The SQL an administrator runs once per kiosk (it needs CREATEROLE).

    Both names are checked again here, whatever the table holds: they are
    printed into SQL that a superuser will run.
    """
    kiosk, role = kiosk_id(kiosk), role_name(role)
    return (
        f"-- kiosk {kiosk}: its own login role, member of {KIOSK_ROLE}\n"
        f"DO $$ BEGIN CREATE ROLE {role} LOGIN; "
        f"EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
        f"GRANT {KIOSK_ROLE} TO {role};\n"
    )
