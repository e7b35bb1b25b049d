"""A kiosk restored from an older backup, or whose log was rewritten: refused, alerted, shown."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from kiosk.store import events
from tests.fleet.activity import day
from tests.fleet.helpers import backlog


def _synced_kiosk(make_kiosk, cli, name="ROOM-1"):
    kiosk = make_kiosk(name)
    with kiosk.database() as db:
        day(db, 3, 20)
    run = cli(*kiosk.sync_args("--once"), json=True)
    assert run.code == 0, run
    return kiosk


def _refused(central, cli, kiosk, kind):
    run = cli(*kiosk.sync_args("--once"), json=True)
    assert run.code == 3, run
    error = run.doc["error"]
    assert error["code"] == kind
    status = cli("fleet", "status", "--dsn", central.dsn, json=True).doc
    alerts = {s["kiosk"]: s["alerts"] for s in status}[kiosk.name]
    assert [a["kind"] for a in alerts] == [kind]
    text = cli("fleet", "status", "--dsn", central.dsn)
    assert f"ALERT {kiosk.name}" in text.out
    return error, alerts[0]


def test_a_kiosk_restored_from_an_older_backup_is_refused(central, make_kiosk, cli, tmp_path):
    kiosk = _synced_kiosk(make_kiosk, cli)
    copy = tmp_path / "backup.db"
    assert cli("--db", str(kiosk.path), "backup", str(copy)).code == 0
    kept = events.verify(sqlite3.connect(copy)).count
    with kiosk.database() as db:
        backlog(db, 10)
    assert cli(*kiosk.sync_args("--once")).code == 0
    head = central.query("SELECT head_id FROM fleet.heads")[0][0]
    assert cli("--db", str(kiosk.path), "restore", str(copy), "--yes").code == 0
    before = central.query("SELECT count(*) FROM fleet.ledger")

    error, alert = _refused(central, cli, kiosk, "rollback")
    # The restore appended its own event after the backup's last one: that
    # is where the logs part.
    assert error["details"] == {"kiosk": kiosk.name, "first_id": kept + 1, "last_id": head}
    assert f"events {kept + 1}..{head}" in error["message"]
    assert (alert["first_id"], alert["last_id"]) == (kept + 1, head)
    assert central.query("SELECT count(*) FROM fleet.ledger") == before


def test_a_rewritten_log_is_refused_at_the_first_changed_event(central, make_kiosk, cli):
    kiosk = _synced_kiosk(make_kiosk, cli)
    # A careful forger: edit event 5 and re-chain everything after it, so
    # the kiosk's own `log verify` still passes.
    conn = sqlite3.connect(kiosk.path)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'mallory' WHERE id = 5")
    rows = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    prev = rows[3][10]
    for row in rows[4:]:
        content = (*row[:9], prev)
        prev = events.digest(content)
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?",
                     (content[9], prev, row[0]))  # fmt: skip
    conn.commit()
    assert events.verify(conn).ok
    conn.close()

    error, alert = _refused(central, cli, kiosk, "fork")
    assert error["details"]["first_id"] == 5
    assert "event 5 differs" in error["message"]
    assert alert["first_id"] == 5


def test_events_broken_after_the_head_are_refused_by_the_server(central, make_kiosk, cli):
    kiosk = _synced_kiosk(make_kiosk, cli)
    shipped = central.query("SELECT max(id) FROM fleet.ledger")
    with kiosk.database() as db:
        backlog(db, 3)
        last = db.conn.execute("SELECT max(id) FROM events").fetchone()[0]
    conn = sqlite3.connect(kiosk.path)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'mallory' WHERE id = ?", (last - 1,))
    conn.commit()
    conn.close()
    error, alert = _refused(central, cli, kiosk, "broken")
    assert error["details"]["first_id"] == last - 1
    assert alert["first_id"] == last - 1
    # Nothing of the refused batch was kept.
    assert central.query("SELECT max(id) FROM fleet.ledger") == shipped


# -- what a kiosk's role may do, enforced by the server ------------------------


@pytest.fixture
def two(central, make_kiosk, cli):
    a = _synced_kiosk(make_kiosk, cli, "ROOM-1")
    b = _synced_kiosk(make_kiosk, cli, "ROOM-2")
    return a, b


def _own_rows(kiosk):
    with sqlite3.connect(kiosk.path) as conn:
        return conn.execute(
            "SELECT id, time, actor, op, asset, from_slot, to_slot, person, details, "
            "prev_hash, hash FROM events ORDER BY id"
        ).fetchall()


def test_a_kiosk_role_cannot_insert_another_kiosks_events(two):
    a, b = two
    from kiosk.fleet.sync import insert

    with kiosk_conn(a) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        insert(conn, b.name, _own_rows(a)[-1:])


def test_a_kiosk_role_sees_only_its_own_rows(two, central):
    a, b = two
    with kiosk_conn(a) as conn:
        kiosks = conn.execute("SELECT kiosk FROM fleet.kiosks").fetchall()
        ledger = conn.execute("SELECT DISTINCT kiosk FROM fleet.ledger").fetchall()
        head = conn.execute("SELECT * FROM fleet.lock_head(%s)", (b.name,)).fetchone()
        assert (kiosks, ledger, head) == ([(a.name,)], [(a.name,)], (None, None))
    for table in ("fleet.assets", "fleet.people", "fleet.alerts", "fleet.heads"):
        with kiosk_conn(a) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SELECT * FROM {table}")


KIOSK_REFUSED = (
    "UPDATE fleet.ledger SET actor = 'x'",
    "DELETE FROM fleet.ledger",
    "TRUNCATE fleet.ledger",
    "UPDATE fleet.kiosks SET last_sync = NULL",
    "DELETE FROM fleet.alerts",
    "INSERT INTO fleet.assets (kiosk, tag, status, event_id, event_time, synced_at) "
    "VALUES ('ROOM-1', 'X', 'LOST', 1, '', now())",
)
OWNER_REFUSED = (
    "UPDATE fleet.ledger SET actor = 'x' WHERE id = 1",
    "DELETE FROM fleet.ledger WHERE id = 1",
    "TRUNCATE fleet.ledger CASCADE",
)


def test_no_role_can_change_the_ledger_not_even_its_owner(two, central):
    a, _ = two
    before = central.query("SELECT * FROM fleet.ledger ORDER BY kiosk, id")
    for statement in KIOSK_REFUSED:
        with kiosk_conn(a) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    for statement in OWNER_REFUSED:
        with psycopg.connect(central.dsn) as conn, pytest.raises(psycopg.Error) as caught:
            conn.execute(statement)
        assert caught.value.sqlstate == "AT403", statement
    assert central.query("SELECT * FROM fleet.ledger ORDER BY kiosk, id") == before


def test_a_forged_event_is_refused_by_the_server_itself(two):
    a, _ = two
    from kiosk.fleet.sync import insert

    rows = _own_rows(a)
    last = rows[-1]
    forged = (last[0] + 1, last[1], "mallory", "retire", "K3-0001", None, None, None, "{}",
              last[10], "f" * 64)  # fmt: skip
    with kiosk_conn(a) as conn, pytest.raises(psycopg.Error) as caught:
        insert(conn, a.name, [forged])
    assert caught.value.sqlstate == "AT422"
    with kiosk_conn(a) as conn, pytest.raises(psycopg.Error) as caught:
        insert(conn, a.name, [(*rows[3][:2], "mallory", *rows[3][3:])])
    assert caught.value.sqlstate == "AT409"


def kiosk_conn(kiosk):
    return psycopg.connect(kiosk.dsn)
