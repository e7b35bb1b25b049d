"""Text that came from data never reaches a terminal raw.

A barcode, a CSV cell or a typed name can carry ``\\x1b[2J`` (clear the
screen) or worse. Every command shows it escaped; these run the installed
script and look at the bytes it writes.
"""

from __future__ import annotations

import pytest

EVIL_NAME = "Evil\x1b[2J\x1b]0;owned\x07\rname\u202etxt"
JUNK_TAG = "\x01\x7f\x1b[31mLT-\x9b1\x08\xff"


@pytest.fixture
def hostile(seeded):
    """The demo room plus a hostile asset, person and notes."""
    assert seeded("asset", "add", "LT-EVIL", "--name", EVIL_NAME, "--notes", "a\x1bb").code == 0
    assert seeded("person", "add", "0666", EVIL_NAME).code == 0
    assert seeded("stock-out", "LT-EVIL", "--to", "0666").code == 0
    return seeded


@pytest.mark.parametrize(
    "argv",
    [
        ["asset", "show", "LT-EVIL"],
        ["asset", "list"],
        ["where", "LT-EVIL"],
        ["person", "list"],
        ["custody", "list"],
        ["log"],
        ["log", "--asset", "LT-EVIL"],
        ["person", "add", "0667", EVIL_NAME],
        ["stock-in", "LT-EVIL", "CART-A", "3"],
        ["doctor"],
        ["asset", "show", JUNK_TAG],
        ["where", JUNK_TAG],
        ["asset", "add", JUNK_TAG, "--name", EVIL_NAME],
        ["stock-out", JUNK_TAG, "--to", EVIL_NAME],
    ],
    ids=lambda argv: " ".join(a.encode("unicode_escape").decode() for a in argv),
)
def test_no_raw_escape_in_any_output(hostile, at_process, argv):
    for as_json in (False, True):
        run = at_process(*argv, json=as_json)  # the fixture rejects a raw ESC byte
        assert "\x9b" not in run.out + run.err and "\x07" not in run.out + run.err


def test_escaped_text_is_still_readable(hostile, at_process):
    out = at_process("asset", "show", "LT-EVIL").out
    assert "Evil\\x1b[2J\\x1b]0;owned\\x07\\rname\\u202etxt" in out
    doc = at_process("asset", "show", "LT-EVIL", json=True).doc
    assert doc["name"] == EVIL_NAME  # JSON carries the data exactly (escaped by JSON)
    err = at_process("where", JUNK_TAG).err
    assert err.startswith("error: asset tag holds control characters: \\x01\\x7f\\x1b[31m")


def test_junk_tags_are_refused(hostile):
    run = hostile("asset", "add", JUNK_TAG, json=True)
    assert run.code == 2 and run.doc["error"]["code"] == "invalid_input"


def test_hostile_csv_dry_run(hostile, at_process, tmp_path):
    path = tmp_path / "evil.csv"
    path.write_text(
        "Asset Tag,Item Name,Notes,Username,Full Name,\x1b[2JColumn\n"
        f'LT-E1,"{EVIL_NAME}","\x1b[1;1H",ev,"{EVIL_NAME}",x\n',
        encoding="utf-8",
    )
    for as_json in (False, True):
        run = at_process("asset", "import", str(path), json=as_json)
        assert run.code == 0, run
    bad = tmp_path / "bad.csv"
    bad.write_text(f"Asset Tag\n{JUNK_TAG}\n", encoding="utf-8")
    run = at_process("asset", "import", str(bad))
    assert run.code == 2 and "row 2, column Asset Tag" in run.err
