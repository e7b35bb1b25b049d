"""The central server dies mid-batch and comes back: nothing lost, nothing twice.

The postmaster is SIGKILLed while the long-running sync is inside a batch's
transaction (held there, deterministically, by a row lock the test takes
on the derived state of one asset). While it is down, ``sync --once`` exits
1 and the kiosk's own operations go on untouched; when it is back, the
long-running sync's backoff finds it and catches up.
"""

from __future__ import annotations

import psycopg

from tests.cli.conftest import check_contract
from tests.conftest import snapshot as _snapshot
from tests.counts import scaled
from tests.fleet.conftest import cli_process
from tests.fleet.helpers import backlog, newest, start_sync, stop_sync, wait_for, write_config


def snapshot(kiosk):
    with kiosk.database() as db:
        return _snapshot(db)


def _sync_waiting_on_lock(central) -> bool:
    rows = central.query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'assettrack-sync' "
        "AND wait_event_type = 'Lock' AND state = 'active'"
    )
    return rows[0][0] == 1


def test_server_killed_mid_batch_then_back(central, make_kiosk, cli, env, tmp_path):
    kiosk = make_kiosk("ROOM-1")
    with kiosk.database() as db:
        backlog(db, 50)
    assert cli(*kiosk.sync_args("--once"), json=True).code == 0
    with kiosk.database() as db:
        backlog(db, scaled(600, 20000))
    # Hold the derived row of the moving asset: the next batch inserts its
    # first event, then waits here with the transaction open.
    blocker = psycopg.connect(central.server.dsn(central.name))
    blocker.execute("SELECT * FROM fleet.assets WHERE tag = 'BL-1' FOR UPDATE")
    proc = start_sync(kiosk, write_config(tmp_path / "sync.toml", kiosk), "--batch", "200")
    try:
        wait_for(lambda: _sync_waiting_on_lock(central), what="the sync inside a batch")
        central.server.kill()
        blocker.close()

        # Down: --once says so with exit 1; the kiosk works on, untouched by it.
        before = snapshot(kiosk)
        down = cli_process(*kiosk.sync_args("--once"), "--json", env=env)
        assert down.code == 1, down
        check_contract(down, True)
        assert down.doc["error"]["code"] == "fleet_unreachable"
        assert snapshot(kiosk) == before
        local = cli_process("--db", str(kiosk.path), "slot", "vacate", "BL", "1", env=env)
        local = (
            local
            if local.code == 0
            else cli_process("--db", str(kiosk.path), "slot", "vacate", "BL", "2", env=env)
        )
        assert local.code == 0, local

        central.server.start()
        total = newest(kiosk.path)
        wait_for(
            lambda: central.query("SELECT max(id) FROM fleet.ledger")[0][0] == total,
            timeout=120,
            what="the sync to catch up",
        )
    finally:
        code, err = stop_sync(proc)
    assert code == 0, err
    assert "retry" in err  # it said it was backing off
    assert central.query("SELECT count(*), count(DISTINCT id), max(id) FROM fleet.ledger") == [
        (total, total, total)
    ]
    verified = cli("fleet", "verify", "--dsn", central.dsn, json=True)
    assert verified.code == 0 and verified.doc[0]["events"] == total
    where = cli("fleet", "where", "BL-1", "--dsn", central.dsn, json=True).doc
    local_where = cli("--db", str(kiosk.path), "where", "BL-1", json=True).doc
    assert (where["slot"], where["status"]) == (local_where["slot"], local_where["status"])


def test_sync_once_with_no_server_exits_1_and_changes_nothing(make_kiosk, cli, tmp_path):
    kiosk = make_kiosk("ROOM-1", register=False)
    with kiosk.database() as db:
        backlog(db, 5)
    before = snapshot(kiosk)
    dsn = f"host={tmp_path}/nowhere port=5432 dbname=x user=y"
    run = cli("--db", str(kiosk.path), "sync", "--once", "--dsn", dsn, "--kiosk", "ROOM-1",
              json=True)  # fmt: skip
    assert run.code == 1 and run.doc["error"]["code"] == "fleet_unreachable"
    assert snapshot(kiosk) == before
