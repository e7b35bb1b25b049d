"""The log's head kept beside the database: what a commit leaves there, what verify makes of it.

Every database here is a real file and every change a real operation; the
tail of the log is deleted as a person with the sqlite3 shell would (the
append-only trigger dropped, the rows deleted, the trigger put back).
"""

from __future__ import annotations

import os
import sqlite3

import pytest

from kiosk.errors import InvalidInput
from kiosk.ops import record
from kiosk.store import events, heads
from tests.conftest import add

HASH = "0123456789abcdef" * 4
OTHER = "fedcba9876543210" * 4
#: The largest id SQLite can give an event (a signed 64-bit integer).
LAST_ID = 2**63 - 1
DELETE_GUARD = (
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
)


def _head(db):
    with db.read() as conn:
        return heads.current(conn)


def _delete_events(path, where):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute(f"DELETE FROM events WHERE {where}")
    conn.execute(DELETE_GUARD)
    conn.close()


def _missing(db, recorded):
    with db.read() as conn:
        return heads.missing_from(conn, recorded)


def _log_head_check(db, given=None):
    with db.read() as conn:
        _verdict, found = record.checks(conn, db.path, head=given, with_replay=False)
    return {c.check: (c.status, c.detail) for c in found}


# -- a head written as ID:HASH ---------------------------------------------------


def test_a_head_reads_as_id_colon_hash():
    head = heads.Head(12, HASH)
    assert str(head) == f"12:{HASH}"
    assert repr(head) == "Head(12, 0123456789ab...)"
    assert heads.Head(0, "0" * 64) == heads.EMPTY and heads.GENESIS == "0" * 64


def test_heads_are_equal_by_id_and_hash():
    assert heads.Head(12, HASH) == heads.Head(12, HASH)
    assert heads.Head(12, HASH) != heads.Head(13, HASH)
    assert heads.Head(12, HASH) != heads.Head(12, OTHER)
    assert heads.Head(12, HASH) != f"12:{HASH}"
    assert len({heads.Head(12, HASH), heads.Head(12, HASH), heads.Head(13, HASH)}) == 2


def test_a_head_is_parsed_as_printed():
    assert heads.parse(f"12:{HASH}") == heads.Head(12, HASH)
    # As pasted from a journal or a terminal: surrounding blanks, upper-case hex.
    assert heads.parse(f"  12:{HASH.upper()}\n") == heads.Head(12, HASH)
    assert heads.parse(f"0:{heads.GENESIS}") == heads.EMPTY


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12",
        HASH,
        f"12;{HASH}",
        f":{HASH}",
        f"-1:{HASH}",
        f"x:{HASH}",
        f"12:{HASH[:-1]}",
        f"12:{HASH}0",
        f"12:{'g' * 64}",
        f"12:{HASH[:-1]} ",
    ],
    ids=[
        "empty", "no hash", "no id", "not a colon", "empty id", "negative", "not a number",
        "short", "long", "not hex", "blank inside",
    ],
)  # fmt: skip
def test_anything_else_is_not_a_head(text):
    with pytest.raises(InvalidInput) as refused:
        heads.parse(text)
    assert refused.value.message == " ".join(
        f"a head is ID:HASH (a number, a colon, 64 hex digits), not {text!r}".split()
    )


# -- the log's own head ------------------------------------------------------------


def test_an_empty_logs_head_is_the_genesis(db):
    assert _head(db) == heads.EMPTY


def test_the_head_is_the_newest_event(db):
    add(db, "LT-1")
    add(db, "LT-2")
    with db.read() as conn:
        newest = events.recent(conn, limit=1)[0]
        assert heads.current(conn) == heads.Head(2, newest.hash)


# -- the file each commit leaves -------------------------------------------------


def test_the_head_file_sits_beside_the_database(tmp_path):
    assert heads.path_for(tmp_path / "assettrack.db") == tmp_path / "assettrack.db.head"


def test_each_commit_leaves_its_head_in_the_file(db, db_path):
    path = heads.path_for(db_path)
    assert heads.read(db_path) is None  # nothing committed yet
    add(db, "LT-1")
    first = _head(db)
    text = path.read_text(encoding="ascii")
    assert text.split() == [str(first)] and text.endswith("\n") and text.count("\n") == 1
    assert heads.read(db_path) == first
    add(db, "LT-2")
    assert heads.read(db_path) == _head(db) == heads.Head(2, _head(db).hash)


def test_a_commit_without_an_event_leaves_the_file_as_it_was(db, db_path):
    add(db, "LT-1")
    before = heads.path_for(db_path).read_bytes()
    with db.write() as conn:
        conn.execute("SELECT count(*) FROM assets").fetchone()
    assert heads.path_for(db_path).read_bytes() == before


def test_every_record_has_the_same_length_so_a_shorter_one_overwrites_it_whole(tmp_path):
    """A restore of an older copy records a head with a shorter id over a longer one."""
    short, longest = tmp_path / "short.db", tmp_path / "longest.db"
    for path in (short, longest):
        path.touch()
    assert heads.write(short, heads.Head(7, HASH))
    assert heads.write(longest, heads.Head(LAST_ID, OTHER))
    assert heads.path_for(short).stat().st_size == heads.path_for(longest).stat().st_size == 86
    assert heads.write(longest, heads.Head(13, HASH))
    assert heads.read(longest) == heads.Head(13, HASH)
    assert heads.path_for(longest).read_text().split() == [f"13:{HASH}"]


def test_a_head_file_replaced_by_another_is_the_one_the_next_commit_writes(db, db_path):
    add(db, "LT-1")
    first = _head(db)
    path = heads.path_for(db_path)
    old = db_path.with_name("old.head")
    os.link(path, old)  # the file that was replaced, still reachable
    new = db_path.with_name("new.head")
    new.write_text(f"{first}\n")
    os.replace(new, path)
    add(db, "LT-2")
    assert heads.read(db_path) == _head(db) != first
    assert old.read_text().split() == [str(first)]  # the replaced file was left alone


def test_a_commit_goes_through_when_its_head_cannot_be_written(db, db_path):
    add(db, "LT-1")
    path = heads.path_for(db_path)
    path.unlink()
    path.mkdir()  # something in the way that no one, root included, can write as a file
    add(db, "LT-2")
    assert _head(db).id == 2
    assert heads.write(db_path, _head(db)) is False
    path.rmdir()
    add(db, "LT-3")
    assert heads.read(db_path) == _head(db)


def test_a_head_file_put_back_after_a_failed_write_gets_the_next_record(db, db_path):
    add(db, "LT-1")
    path = heads.path_for(db_path)
    aside = db_path.with_name("aside.head")
    os.rename(path, aside)
    path.mkdir()  # in the way: this commit's record cannot be written
    add(db, "LT-2")
    path.rmdir()
    os.rename(aside, path)  # the same file, back where it was
    add(db, "LT-3")
    assert heads.read(db_path) == _head(db)


def test_an_existing_head_file_is_written_in_place_its_mode_left_as_it_is(db, db_path):
    """Only a new file takes the database's mode: one a person changed since keeps theirs."""
    add(db, "LT-1")
    path = heads.path_for(db_path)
    path.chmod(0o604)
    add(db, "LT-2")
    add(db, "LT-3")
    assert path.stat().st_mode & 0o7777 == 0o604
    assert heads.read(db_path) == _head(db)


def test_writing_a_head_says_whether_it_was_written(tmp_path):
    db_path = tmp_path / "assettrack.db"
    db_path.touch()
    assert heads.write(db_path, heads.Head(1, HASH)) is True
    assert heads.write(db_path, heads.Head(2, HASH)) is True
    assert heads.read(db_path) == heads.Head(2, HASH)


@pytest.mark.parametrize(
    "db_mode, head_mode",
    [(0o640, 0o640), (0o660, 0o660), (0o600, 0o600), (0o644, 0o640), (0o777, 0o660)],
)
def test_the_head_file_has_the_databases_read_and_write_bits_whatever_the_umask(
    db, db_path, db_mode, head_mode
):
    db_path.chmod(db_mode)
    mask = os.umask(0o077)
    try:
        add(db, "LT-1")
    finally:
        os.umask(mask)
    assert heads.path_for(db_path).stat().st_mode & 0o7777 == head_mode


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (to give the database another owner)")
def test_made_by_root_the_head_file_belongs_to_the_databases_owner(db, db_path):
    os.chown(db_path, 4321, 4322)
    add(db, "LT-1")
    st = heads.path_for(db_path).stat()
    assert (st.st_uid, st.st_gid) == (4321, 4322)


# -- reading the file back -------------------------------------------------------


def test_no_file_or_an_empty_one_records_no_head(db_path):
    assert heads.read(db_path) is None
    heads.path_for(db_path).write_text("")
    assert heads.read(db_path) is None  # being created
    heads.path_for(db_path).write_text(" \n")
    assert heads.read(db_path) is None


@pytest.mark.parametrize(
    "content", [b"hello\n", f"12:{HASH[:-1]}\xe9\n".encode("latin-1"), b"\xff\xfe12"]
)
def test_a_file_that_holds_no_head_is_named(db_path, content):
    path = heads.path_for(db_path)
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as refused:
        heads.read(db_path)
    assert refused.value.message == f"{path} does not hold a head (ID:HASH)"


# -- verify: is the recorded head still in the log? ------------------------------


def _three_events(db):
    for tag in ("LT-1", "LT-2", "LT-3"):
        add(db, tag)
    return _head(db)


def test_the_empty_logs_head_is_in_every_log(db):
    assert _missing(db, heads.EMPTY) == ""
    _three_events(db)
    assert _missing(db, heads.EMPTY) == ""


def test_a_recorded_head_behind_the_log_is_still_in_it(db):
    """A crash between COMMIT and the file's write leaves the file behind: not a finding."""
    add(db, "LT-1")
    behind = _head(db)
    add(db, "LT-2")
    assert _missing(db, behind) == ""
    assert _missing(db, _head(db)) == ""
    assert _log_head_check(db, given=behind)["given head"] == ("ok", "1 is in the log")


def test_a_deleted_tail_is_named_by_the_ids_removed(db, db_path):
    head = _three_events(db)
    _delete_events(db_path, "id > 1")
    assert _missing(db, head) == (
        "the log ends at event 1 but its head was recorded at event 3: events 2..3 were removed"
    )
    status, detail = _log_head_check(db)["log head"]
    assert status == "FAIL" and detail.startswith("the log ends at event 1 ")
    assert detail.endswith(f"(head recorded in {heads.path_for(db_path)})")


def test_a_log_emptied_entirely_is_named(db, db_path):
    head = _three_events(db)
    _delete_events(db_path, "1")
    assert _missing(db, head) == (
        "the log ends at event 0 but its head was recorded at event 3: events 1..3 were removed"
    )


def test_a_head_whose_event_has_another_hash_means_a_rewritten_history(db):
    head = _three_events(db)
    assert _missing(db, heads.Head(2, head.hash)) == (
        "event 2 does not have the recorded hash: the history up to it was rewritten"
    )
    status, _detail = _log_head_check(db, given=heads.Head(3, OTHER))["given head"]
    assert status == "FAIL"


def test_a_log_that_still_holds_its_recorded_head_verifies(db):
    head = _three_events(db)
    status, detail = _log_head_check(db)["log head"]
    assert (status, detail) == ("ok", f"recorded head 3 is in the log; head {head}")
