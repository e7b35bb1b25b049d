"""Every command that existed before the data commands: success and failure paths.

Run through the real entry point against the demo room (see conftest):
CART-A 1..8 holds LT-0101, LT-0102, -, LT-0104 at 5; CART-B holds LT-0201,
LT-0202; LT-0103 is out with Alice (0042); Bob (0043) and Chen (0044) hold
nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3

import pytest

from kiosk.cli import main as cli_main
from tests.cli.conftest import ACTOR

# (argv, exit code, check on the JSON document) against the demo room.
SUCCESS = [
    (["case", "init", "CART-C", "--slots", "4"], lambda d: d["slots"] == 4),
    (["case", "init", "CART-A", "--slots", "10"], lambda d: d["slots"] == 10),
    (["case", "list"], lambda d: [c["case"] for c in d] == ["CART-A", "CART-B"]),
    (["slot", "list", "CART-B"], lambda d: len(d) == 6 and d[0]["asset"] == "LT-0201"),
    (["slot", "list"], lambda d: len(d) == 14),
    (["slot", "vacate", "CART-A", "1"], lambda d: d["from"] == "CART-A:1"),
    (["slot", "vacate", "--asset", "LT-0102"], lambda d: d["from"] == "CART-A:2"),
    (["slot", "move", "LT-0101", "CART-B", "6"], lambda d: d["to"] == "CART-B:6"),
    (["where", "LT-0104"], lambda d: d["slot"] == "CART-A:5"),
    (["where", "LT-0103"], lambda d: d["slot"] is None and d["status"] == "IN_CUSTODY"),
    (["asset", "add", "LT-0900", "--name", "Spare"], lambda d: d["status"] == "IN_STOCK"),
    (["asset", "add", "LT-0901", "--into", "CART-A", "3"], lambda d: d["slot"] == "CART-A:3"),
    (["asset", "show", "LT-0103"], lambda d: d["custodian"] == "0042"),
    (["asset", "list"], lambda d: len(d) == 6),
    (["asset", "list", "--status", "in_custody"], lambda d: [a["tag"] for a in d] == ["LT-0103"]),
    (["asset", "retire", "LT-0101", "--yes"], lambda d: d["status"] == "RETIRED"),
    (["asset", "repair", "LT-0103"], lambda d: d["status"] == "REPAIR" and not d["custodian"]),
    (["asset", "lost", "LT-0102"], lambda d: d["status"] == "LOST" and d["slot"] is None),
    (["person", "add", "0050", "Dana Ruiz"], lambda d: d["name"] == "Dana Ruiz"),
    (["person", "list"], lambda d: {p["badge"]: p["holding"] for p in d}["0042"] == 1),
    (["person", "remove", "0044", "--yes"], lambda d: d["badge"] == "0044"),
    (["stock-out", "LT-0101", "--to", "0043", "--days", "3"], lambda d: d["custodian"] == "0043"),
    (["stock-in", "LT-0103"], lambda d: d["slot"] == "CART-A:3"),
    (["stock-in", "LT-0103", "CART-B", "5"], lambda d: d["slot"] == "CART-B:5"),
    (["custody", "list"], lambda d: [a["tag"] for a in d] == ["LT-0103"]),
    (["custody", "list", "--overdue"], lambda d: d == []),
    (["log"], lambda d: len(d) == 12 and d[-1]["op"] == "stock_out"),
    (["log", "--asset", "LT-0103", "--limit", "1"], lambda d: d[0]["op"] == "stock_out"),
    (["log", "verify"], lambda d: d["ok"] is True and d["events"] == 12),
    (["demo", "seed", "--if-empty"], lambda d: d == {"seeded": False}),
]

FAILURE = [
    (["case", "init", "CART-C", "--slots", "0"], 2),
    (["case", "init", "BAD:NAME", "--slots", "2"], 2),
    (["case", "init", "CART-A", "--slots", "2"], 2),  # shrink: needs --yes
    (["case", "init", "CART-A", "--slots", "2", "--yes"], 3),  # slots 3..8 not empty
    (["case", "init", "CART-A"], 2),
    (["slot", "list", "NOPE"], 4),
    (["slot", "assign", "LT-0101", "CART-A", "3"], 3),
    (["slot", "assign", "NOPE", "CART-A", "3"], 4),
    (["slot", "assign", "LT-0101", "CART-A", "0"], 2),
    (["slot", "assign", "LT-0103", "CART-A", "3"], 3),
    (["slot", "vacate", "CART-A", "3"], 3),
    (["slot", "vacate", "CART-A", "99"], 4),
    (["slot", "vacate"], 2),
    (["slot", "vacate", "CART-A", "1", "--asset", "LT-0101"], 2),
    (["slot", "move", "LT-0101", "CART-A", "2"], 3),
    (["slot", "move", "LT-0101", "NOPE", "2"], 4),
    (["where", "NOPE"], 4),
    (["where", " "], 2),
    (["asset", "add", "LT-0101"], 3),
    (["asset", "add", "LT-0900", "--into", "CART-A", "1"], 3),
    (["asset", "show", "NOPE"], 4),
    (["asset", "list", "--status", "BOGUS"], 2),
    (["asset", "retire", "LT-0101"], 2),  # needs --yes off a TTY
    (["asset", "retire", "LT-0103", "--yes"], 3),
    (["asset", "found", "LT-0101"], 3),
    (["asset", "repair", "NOPE"], 4),
    (["asset", "lost", "LT-0103x"], 4),
    (["person", "add", "0042", "Someone"], 3),
    (["person", "add", "", "Nobody"], 2),
    (["person", "remove", "NOPE", "--yes"], 4),
    (["person", "remove", "0042", "--yes"], 3),  # holds LT-0103
    (["person", "remove", "0043"], 2),  # needs --yes
    (["stock-out", "LT-0103", "--to", "0043"], 3),
    (["stock-out", "LT-0101", "--to", "NOPE"], 4),
    (["stock-out", "LT-0101", "--to", "0043", "--due", "2000-01-01"], 2),
    (["stock-out", "LT-0101", "--to", "0043", "--due", "tomorrow"], 2),
    (["stock-out", "LT-0101", "--to", "0043", "--days", "-1"], 2),
    (["stock-out", "LT-0101"], 2),
    (["stock-in", "LT-0101"], 3),
    (["stock-in", "LT-0103", "CART-A"], 2),
    (["stock-in", "LT-0103", "CART-A", "1"], 3),
    (["stock-in", "NOPE"], 4),
    (["custody", "list", "--bogus"], 2),
    (["log", "--limit", "0"], 2),
    (["log", "--asset", "\x1b[2J"], 2),
    (["demo", "seed"], 3),
    (["no-such-command"], 2),
    ([], 2),
]


def _cases(cases):
    return [pytest.param(*c, id=" ".join(c[0]) or "(nothing)") for c in cases]


#: Columns that say when, not what: they differ between two identical runs.
_WHEN = {"time", "created", "updated", "prev_hash", "hash"}


def _state(path):
    """Every table's rows without their timestamps and hashes, to compare two databases."""
    with sqlite3.connect(path) as conn:
        state = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
            keep = [i for i, d in enumerate(cursor.description) if d[0] not in _WHEN]
            state[table] = [tuple(row[i] for i in keep) for row in cursor]
    return state


def _twin(path, twin):
    with sqlite3.connect(path) as src, sqlite3.connect(twin) as dst:
        src.backup(dst)
    return twin


@pytest.mark.parametrize(("argv", "check"), _cases(SUCCESS))
def test_success_human(seeded, db_file, tmp_path, argv, check):
    twin = _twin(db_file, tmp_path / "twin.db")
    run = seeded(*argv)
    assert run.code == 0, run
    assert run.out.strip() and not run.err, run
    # The human run did exactly what the JSON run does on an identical twin,
    # and the JSON run's document passes the case's check.
    doc = seeded(*argv, json=True, db=twin).doc
    assert check(doc), doc
    assert _state(db_file) == _state(twin)


@pytest.mark.parametrize(("argv", "check"), _cases(SUCCESS))
def test_success_json(seeded, argv, check):
    run = seeded(*argv, json=True)
    assert run.code == 0, run
    assert check(run.doc), run.doc


@pytest.mark.parametrize(("argv", "code"), _cases(FAILURE))
def test_failure_exit_code_and_error_document(seeded, db_file, argv, code):
    before = _rows(db_file)
    human = seeded(*argv)
    assert human.code == code, human
    assert human.out == "" or argv == [], human  # nothing half-printed on stdout
    run = seeded(*argv, json=True)
    assert run.code == code, run
    assert run.doc["error"]["message"]
    assert _rows(db_file) == before, "a refused command changed the database"


def _rows(path):
    with sqlite3.connect(path) as conn:
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("slots", "assets", "people", "events")
        ]


def test_error_codes_name_the_refusal(seeded):
    assert seeded("where", "NOPE", json=True).doc["error"]["code"] == "not_found"
    assert seeded("slot", "vacate", "CART-A", "3", json=True).doc["error"]["code"] == "slot_empty"
    assert seeded("asset", "retire", "LT-1", json=True).doc["error"]["code"] == "invalid_input"
    assert seeded("bogus", json=True).doc["error"]["code"] == "usage"


def test_json_option_also_after_the_command(seeded):
    run = seeded("where", "LT-0101", "--json")
    assert run.code == 0 and run.doc["slot"] == "CART-A:1"
    run = seeded("where", "NOPE", "--json")
    assert run.code == 4 and run.doc["error"]["code"] == "not_found"


def test_overdue_lists_what_is_past_due(seeded, db_file):
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE assets SET due = '2001-02-03' WHERE tag = 'LT-0103'")
    run = seeded("custody", "list", "--overdue", json=True)
    assert [a["tag"] for a in run.doc] == ["LT-0103"]
    assert "LT-0103" in seeded("custody", "list", "--overdue").out


def test_log_verify_reports_a_broken_chain(seeded, db_file):
    with sqlite3.connect(db_file) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET actor = 'forger' WHERE id = 5")
    run = seeded("log", "verify", json=True)
    assert run.code == 1 and run.doc["error"]["code"] == "log_broken"
    assert "event 5" in run.doc["error"]["message"]


def test_log_verify_catches_a_forged_event_by_the_next_link(seeded, db_file):
    # The forger rewrites event 5 and recomputes its own hash, so the row is
    # self-consistent: only event 6's prev_hash can tell.
    from kiosk.store.events import digest

    with sqlite3.connect(db_file) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        row = conn.execute("SELECT * FROM events WHERE id = 5").fetchone()
        forged = (*row[:2], "forger", *row[3:10])
        conn.execute("UPDATE events SET actor = 'forger', hash = ? WHERE id = 5", (digest(forged),))
    run = seeded("log", "verify", json=True)
    assert run.code == 1 and run.doc["error"]["code"] == "log_broken"
    assert "event 6" in run.doc["error"]["message"]
    assert "prev_hash" in run.doc["error"]["message"]
    human = seeded("log", "verify")
    assert human.code == 1 and "event 6" in human.err


def test_demo_seed_into_empty_database(at):
    run = at("demo", "seed", json=True)
    assert run.code == 0 and run.doc == {"seeded": True}


# -- actor -----------------------------------------------------------------------------


def test_every_change_records_the_actor(seeded):
    seeded("stock-in", "LT-0103")
    events = seeded("log", json=True).doc
    assert events[-1]["actor"] == ACTOR
    seeded("person", "add", "0077", "Eve", actor="night-shift")
    assert seeded("log", "--limit", "1", json=True).doc[0]["actor"] == "night-shift"


def test_actor_defaults_to_the_login(seeded):
    seeded("person", "add", "0078", "Frank", actor=None)
    assert seeded("log", "--limit", "1", json=True).doc[0]["actor"] == getpass.getuser()


# -- human output ----------------------------------------------------------------------


def test_tables_fit_80_columns(seeded):
    seeded("asset", "add", "LT-" + "9" * 60, "--name", "N" * 190, "--model", "M" * 150)
    seeded("person", "add", "B" * 64, "P" * 190)
    listings = (["asset", "list"], ["person", "list"], ["log"], ["slot", "list"], ["case", "list"])
    for argv in listings:
        out = seeded(*argv).out
        assert max(len(line) for line in out.splitlines()) <= 80, argv


def test_log_shows_local_time(seeded, monkeypatch):
    import time

    event = seeded("log", "--limit", "1", json=True).doc[0]
    stamp = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    for zone in ("UTC0", "XXX-9"):  # UTC and UTC+9
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        shown = stamp.astimezone().strftime("%Y-%m-%d %H:%M")
        assert shown in seeded("log", "--limit", "1").out
    monkeypatch.delenv("TZ")
    time.tzset()


# -- help --------------------------------------------------------------------------------


def _command_paths():
    parser = cli_main.build_parser()
    paths = []

    def walk(p, prefix):
        subs = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        if not subs:
            paths.append(prefix)
            return
        for name, child in subs[0].choices.items():
            walk(child, [*prefix, name])

    walk(parser, [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_every_command_has_purpose_and_example(at, path):
    run = at(*path, "--help")
    assert run.code == 0
    lines = run.out.splitlines()
    assert "example:" in run.out and "assettrack" in run.out.split("example:")[1]
    purpose = lines[lines.index("") + 1]
    assert len(purpose.split()) >= 3, purpose


def test_top_level_help_groups_commands_in_order(at):
    out = at("--help").out
    titles = [
        "cases and slots:",
        "assets and people:",
        "custody:",
        "log:",
        "data:",
        "demo:",
    ]
    positions = [out.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "asset import, asset export, backup, restore, doctor" in out


def test_no_command_prints_help(at):
    run = at()
    assert run.code == 2 and "command groups:" in run.out
