"""One rule per situation, for every command of ``kiosk/cli/table.py``.

Each table below has a row for every command (a new command without one
fails :func:`test_every_command_is_in_the_tables`):

* a missing database: a read says ``no database at PATH`` with exit 4 and
  creates nothing; only the commands that start a room create one;
* an unknown asset is exit 4, an empty or malformed code exit 2, and an
  output path that cannot be written exit 1 (an I/O failure, like a full
  disk), for every command that has such an argument;
* text that came from data, in any output, is escaped: no raw control
  character and no raw line break inside a one-line message.
"""

from __future__ import annotations

import re

import pytest

from kiosk.cli.table import COMMANDS

# command -> (argv, exit code, creates the database) on a missing database.
MISSING_DB = {
    "case": (["case", "list"], 4, False),
    "slot": (["slot", "list"], 4, False),
    "where": (["where", "LT-0101"], 4, False),
    "asset": (["asset", "export"], 4, False),
    "person": (["person", "list"], 4, False),
    "stock-out": (["stock-out", "LT-0101", "--to", "0042"], 4, False),
    "stock-in": (["stock-in", "LT-0101"], 4, False),
    "custody": (["custody", "list"], 4, False),
    "log": (["log", "verify"], 4, False),
    "backup": (["backup", "{tmp}/copy.db"], 4, False),
    "restore": None,  # restoring is how a lost database comes back: tested with backups
    "init": (["init"], 0, True),
    "doctor": (["doctor"], 1, False),  # a failed check, and a report of every other
    "hw": None,  # touches devices, never the database
    "run": None,  # exit 78 for systemd: tests/daemon
    "status": None,  # talks to the daemon only
    "inject": None,
    "screen": None,
    "labels": (["labels", "slots", "-o", "{tmp}/l.pdf"], 4, False),
    "demo": (["demo", "seed"], 0, True),
    "sync": (["sync", "--once", "--kiosk", "ROOM-1", "--dsn", "host=/nonexistent"], 4, False),
    "fleet": None,  # talks to the central database only: tests/fleet
}

# (argv, exit code): one row per situation and command that meets it, on the demo room.
SITUATIONS = [
    # an unknown asset: not found
    (["where", "NOPE"], 4),
    (["asset", "show", "NOPE"], 4),
    (["log", "--asset", "NOPE"], 4),
    (["stock-in", "NOPE"], 4),
    (["stock-out", "NOPE", "--to", "0043"], 4),
    (["slot", "assign", "NOPE", "CART-A", "3"], 4),
    (["slot", "move", "NOPE", "CART-A", "3"], 4),
    (["slot", "vacate", "--asset", "NOPE"], 4),
    (["labels", "assets", "NOPE", "-o", "{tmp}/l.pdf"], 4),
    # an empty code: invalid input
    (["where", ""], 2),
    (["inject", "scan", ""], 2),
    (["inject", "scan", "  "], 2),
    (["person", "add", "", "Nobody"], 2),
    # an output path that cannot be written: I/O, exit 1, nothing left behind
    (["backup", "{tmp}/no/such/dir/copy.db"], 1),
    (["asset", "export", "{tmp}/no/such/dir/a.csv"], 1),
    (["labels", "commands", "-o", "{tmp}/no/such/dir/l.pdf"], 1),
    # --yes is accepted by the commands that change slots and people
    (["slot", "vacate", "CART-A", "1", "--yes"], 0),
    (["person", "remove", "0044", "--yes"], 0),
]

EVIL = "A\nB\x1b[2J\rC\x07"


def test_every_command_is_in_the_tables():
    assert set(MISSING_DB) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(k for k, v in MISSING_DB.items() if v))
def test_missing_database(at, tmp_path, name):
    argv, code, creates = MISSING_DB[name]
    missing = tmp_path / "nope" / "x.db"
    run = at(*[a.format(tmp=tmp_path) for a in argv], db=missing, json=True)
    assert run.code == code, run.out
    assert missing.exists() == creates
    if not creates:
        assert not missing.parent.exists()
        text = str(run.doc)
        assert f"no database at {missing}" in text


@pytest.mark.parametrize(
    "argv,code", SITUATIONS, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v)
)
def test_one_exit_code_per_situation(seeded, tmp_path, argv, code):
    run = seeded(*[a.format(tmp=tmp_path) for a in argv])
    assert run.code == code, run.err
    if code:
        assert run.err.count("\n") == 1, "an error is one line"
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["person", "add", "0070", EVIL],
        ["stock-out", "LT-0101", "--to", "0070"],
        ["where", "LT-0101"],
        ["person", "remove", "0070", "--yes"],
    ],
)
def test_names_with_line_breaks_stay_on_their_line(seeded, argv):
    if argv[0] != "person" or argv[1] != "add":
        assert seeded("person", "add", "0070", EVIL).code == 0
    if argv[0] in ("where", "person") and argv[1] != "add":
        assert seeded("stock-out", "LT-0101", "--to", "0070").code == 0
        if argv[1] == "remove":
            assert seeded("stock-in", "LT-0101").code == 0
    run = seeded(*argv)
    assert run.code == 0, run.err
    assert run.out.count("\n") == 1, run.out
    assert "A\\nB\\x1b[2J\\rC\\x07" in run.out
    assert not set(run.out) & {"\x1b", "\r", "\x07"}


def test_a_long_tag_leaves_the_time_column_whole(seeded):
    assert seeded("asset", "add", "LT-" + "X" * 60).code == 0
    lines = seeded("log").out.splitlines()[1:]
    assert all(re.search(r" \d{4}-\d\d-\d\d \d\d:\d\d ", line) for line in lines), lines


def test_plain_log_names_the_case_and_the_restored_file(seeded, tmp_path):
    assert seeded("case", "init", "CART-Z", "--slots", "2").code == 0
    assert "case CART-Z" in seeded("log", "--limit", "1").out
    copy = tmp_path / "copy.db"
    assert seeded("backup", str(copy)).code == 0
    assert seeded("restore", str(copy), "--yes").code == 0
    assert f"from {copy}"[:20] in seeded("log", "--limit", "1").out
