"""The fleet commands keep the CLI's contract: exit codes, one-line errors, --json."""

from __future__ import annotations

from tests.cli.conftest import check_contract
from tests.fleet.activity import day


def _run(cli, *argv, json=True):
    run = cli(*argv, json=json)
    check_contract(run, json)
    return run


def test_fleet_init_is_idempotent_and_prints_the_grants(central, cli):
    first = _run(cli, "fleet", "init", "--dsn", central.dsn, "--kiosk", "ROOM-1")
    assert first.code == 0 and first.doc["was"] == 0
    again = _run(cli, "fleet", "init", "--dsn", central.dsn, "--kiosk", "ROOM-1",
                 "--kiosk", "ROOM-2=lab_two", json=False)  # fmt: skip
    assert again.code == 0
    assert "up to date" in again.out
    assert "GRANT assettrack_kiosk TO kiosk_room_1;" in again.out
    assert "GRANT assettrack_kiosk TO lab_two;" in again.out
    # A kiosk keeps its role; a bad id or role is refused before connecting.
    taken = _run(cli, "fleet", "init", "--dsn", central.dsn, "--kiosk", "ROOM-2=other")
    assert taken.code == 2 and "lab_two" in taken.doc["error"]["message"]
    for bad in ("ROOM 1", "ROOM-1=Robert'); DROP", ""):
        assert _run(cli, "fleet", "init", "--dsn", central.dsn, "--kiosk", bad).code == 2


def test_commands_without_a_dsn_or_kiosk_are_usage_errors(cli, tmp_path, env):
    db = tmp_path / "k.db"
    assert _run(cli, "--db", str(db), "init").code == 0
    no_dsn = _run(cli, "--db", str(db), "sync", "--once", "--kiosk", "ROOM-1")
    assert no_dsn.code == 2 and "dsn" in no_dsn.doc["error"]["message"]
    no_kiosk = _run(cli, "--db", str(db), "sync", "--once", "--dsn", "host=/nowhere")
    assert no_kiosk.code == 2
    assert _run(cli, "fleet", "status").code == 2
    assert _run(cli, "fleet", "where", "LT-1", json=False).err.startswith("error: ")


def test_unknown_kiosk_and_unknown_asset_are_not_found(central, make_kiosk, cli):
    kiosk = make_kiosk("ROOM-1")
    with kiosk.database() as db:
        day(db, 1, 5)
    # Registered as ROOM-1: syncing as another kiosk id finds no head for its role.
    other = _run(cli, "--db", str(kiosk.path), "sync", "--once", "--dsn", kiosk.dsn,
                 "--kiosk", "ROOM-9")  # fmt: skip
    assert other.code == 4 and other.doc["error"]["code"] == "not_registered"
    assert _run(cli, *kiosk.sync_args("--once")).code == 0
    missing = _run(cli, "fleet", "where", "NOPE-1", "--dsn", central.dsn)
    assert missing.code == 4
    assert _run(cli, "fleet", "overdue", "--dsn", central.dsn).doc == []
    text = _run(cli, "fleet", "where", "LT-0001", "--dsn", central.dsn, json=False)
    assert text.code == 0 and text.out.startswith("LT-0001: ROOM-1 ")


def test_the_config_supplies_dsn_kiosk_and_interval(central, make_kiosk, cli, env, tmp_path):
    import os

    kiosk = make_kiosk("ROOM-1")
    with kiosk.database() as db:
        day(db, 2, 5)
    config = os.environ["ASSETTRACK_CONFIG"]
    with open(config, "w") as f:
        f.write(f'[fleet]\ndsn = "{kiosk.dsn}"\nkiosk = "ROOM-1"\ninterval = 2\n')
    run = _run(cli, "--db", str(kiosk.path), "sync", "--once")
    assert run.code == 0 and run.doc["shipped"] > 0


def test_a_kiosk_id_or_role_with_a_line_break_never_reaches_the_printed_sql(central, cli):
    for bad in ("ROOM-1\n", "ROOM-1=kiosk_x\n", "ROOM-1=kiosk_x\nDROP TABLE fleet.ledger"):
        run = _run(cli, "fleet", "init", "--dsn", central.dsn, "--kiosk", bad)
        assert run.code == 2, run
