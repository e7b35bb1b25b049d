"""Kiosks syncing to a real PostgreSQL server: counts, chains and answers match the kiosks."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from kiosk.domain import assets
from kiosk.fleet import queries
from kiosk.store import events
from tests.counts import scaled
from tests.fleet import activity
from tests.fleet.conftest import cli_process
from tests.fleet.helpers import backlog, newest, start_sync, stop_sync, wait_for, write_config


def _central_head(central, kiosk: str) -> int:
    rows = central.query("SELECT head_id FROM fleet.heads WHERE kiosk = %s", kiosk)
    return int(rows[0][0]) if rows else 0


def _assert_matches(central, cli, kiosk, tags) -> None:
    """Central counts, chain and per-asset answers equal the kiosk's own."""
    with kiosk.database() as db, db.read() as conn:
        local = events.verify(conn)
        mine = {t: assets.get(conn, t) for t in tags}
        tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
        overdue_local = sorted(a.tag for a in assets.listing(conn, overdue_on=tomorrow))
    assert local.ok
    count, hashes = central.query(
        "SELECT count(*), max(hash) FILTER (WHERE id = %s) FROM fleet.ledger WHERE kiosk = %s",
        local.count,
        kiosk.name,
    )[0]
    assert (count, hashes) == (local.count, local.head)
    for tag, asset in mine.items():
        run = cli("fleet", "where", tag, "--dsn", central.dsn, json=True)
        assert run.code == 0, run
        got = run.doc
        assert (got["kiosk"], got["tag"]) == (kiosk.name, tag)
        expected = (
            None if asset.slot is None else str(asset.slot),
            asset.status,
            asset.custodian,
            asset.custodian_name,
            asset.due,
            None if asset.home is None else str(asset.home),
            asset.name,
        )
        assert (got["slot"], got["status"], got["custodian"], got["custodian_name"],
                got["due"], got["home"], got["name"]) == expected, tag  # fmt: skip
        local_where = cli("--db", str(kiosk.path), "where", tag, json=True).doc
        assert (local_where["slot"], local_where["status"]) == (got["slot"], got["status"])
    with central.superuser() as conn:
        central_overdue = sorted(
            a["tag"] for a in queries.overdue(conn, tomorrow) if a["kiosk"] == kiosk.name
        )
    assert central_overdue == overdue_local


@pytest.mark.parametrize("count", [2, 5])
def test_kiosks_working_and_syncing_at_once_match_centrally(
    count, central, make_kiosk, cli, tmp_path
):
    kiosks = [make_kiosk(f"ROOM-{i}") for i in range(1, count + 1)]
    syncs = [start_sync(k, write_config(tmp_path / f"{k.name}.toml", k)) for k in kiosks]
    tags: dict[str, list[str]] = {}

    def work(i, kiosk):
        with kiosk.database() as db:
            tags[kiosk.name] = activity.day(db, i, scaled(40, 600), prefix=f"K{i}")

    threads = [threading.Thread(target=work, args=(i, k)) for i, k in enumerate(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in kiosks:
        wait_for(lambda k=k: _central_head(central, k.name) == newest(k.path), what=k.name)
    for proc in syncs:
        code, err = stop_sync(proc)
        assert code == 0, err
    for k in kiosks:
        _assert_matches(central, cli, k, tags[k.name])
    verified = cli("fleet", "verify", "--dsn", central.dsn, json=True)
    assert verified.code == 0, verified
    assert [v["ok"] for v in verified.doc] == [True] * count
    status = cli("fleet", "status", "--dsn", central.dsn, json=True).doc
    assert [(s["kiosk"], s["events"], s["alerts"]) for s in status] == [
        (k.name, newest(k.path), []) for k in kiosks
    ]
    assert all(s["last_sync"] for s in status)


def test_a_resent_batch_changes_nothing(central, make_kiosk, cli):
    kiosk = make_kiosk("ROOM-1")
    with kiosk.database() as db:
        activity.day(db, 7, 30)
    assert cli(*kiosk.sync_args("--once"), json=True).code == 0
    before = central.query("SELECT * FROM fleet.ledger ORDER BY id")
    state = central.query("SELECT * FROM fleet.assets ORDER BY tag")
    again = cli(*kiosk.sync_args("--once"), json=True)
    assert again.code == 0 and again.doc["shipped"] == 0
    # The same events sent once more, behind the sync's back: skipped by the server.
    with kiosk.database() as db:
        rows = db.conn.execute(
            "SELECT id, time, actor, op, asset, from_slot, to_slot, person, details, "
            "prev_hash, hash FROM events ORDER BY id"
        ).fetchall()
    import psycopg

    from kiosk.fleet.sync import insert

    with psycopg.connect(kiosk.dsn) as conn:
        insert(conn, kiosk.name, rows)
        insert(conn, kiosk.name, rows[5:9])
    assert central.query("SELECT * FROM fleet.ledger ORDER BY id") == before
    assert central.query("SELECT * FROM fleet.assets ORDER BY tag") == state


def test_two_syncs_of_one_kiosk_at_once_ship_each_event_once(central, make_kiosk, env):
    kiosk = make_kiosk("ROOM-1")
    with kiosk.database() as db:
        backlog(db, scaled(1000, 50000))
    procs = [
        __import__("subprocess").Popen(
            [
                __import__("sys").executable,
                "-m",
                "kiosk",
                *kiosk.sync_args("--once", "--batch", "200"),
            ],
            env=env,
            stdout=-1,
            stderr=-1,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    total = newest(kiosk.path)
    assert central.query("SELECT count(*), max(id) FROM fleet.ledger") == [(total, total)]
    assert cli_process("fleet", "verify", "--dsn", central.dsn, env=env).code == 0
