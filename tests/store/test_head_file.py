"""The head file a Database keeps open between commits follows the path, not the inode.

Kept open, a file deleted or renamed over by hand would go on receiving the
records while the path beside the database holds nothing, or somebody else's
file: `log verify` would then check a head that is not the log's.
"""

from __future__ import annotations

import os

from kiosk.store import heads
from tests.conftest import add


def _fds():
    return len(os.listdir("/proc/self/fd"))


def test_each_commit_leaves_the_new_head_beside_the_file(db, db_path):
    add(db, "LT-1")
    first = heads.read(db_path)
    add(db, "LT-2")
    assert heads.read(db_path) == db.current_head() != first


def test_a_deleted_head_file_is_written_again_at_the_next_commit(db, db_path):
    add(db, "LT-1")
    heads.path_for(db_path).unlink()
    add(db, "LT-2")
    assert heads.read(db_path) == db.current_head()


def test_a_head_file_replaced_by_rename_gets_the_next_record(db, db_path):
    add(db, "LT-1")
    path = heads.path_for(db_path)
    stale = path.with_name("stale")
    stale.write_text(path.read_text())
    os.rename(stale, path)  # a new inode at the same name
    add(db, "LT-2")
    assert heads.read(db_path) == db.current_head()


def test_the_record_keeps_its_fixed_width_when_ids_grow_shorter(db, db_path):
    add(db, "LT-1")
    path = heads.path_for(db_path)
    path.write_text(f"{'9' * 20}:{'f' * 64}\n")  # longer than any record we write
    add(db, "LT-2")
    text = path.read_text()
    assert text.endswith("\n") and len(text) == 86
    assert heads.parse(text) == db.current_head()


def test_closing_the_database_closes_its_head_file(db_path):
    from kiosk.store.db import Database

    before = _fds()
    for n in range(20):
        with Database(db_path) as db:
            add(db, f"LT-{n}")
    assert _fds() == before


def test_a_head_file_that_cannot_be_written_costs_the_record_not_the_commit(db, db_path):
    add(db, "LT-1")
    path = heads.path_for(db_path)
    path.unlink()
    path.mkdir()  # unwritable for root too
    add(db, "LT-2")
    assert db.conn.execute("SELECT count(*) FROM assets WHERE tag = 'LT-2'").fetchone()[0] == 1
    path.rmdir()
    add(db, "LT-3")
    assert heads.read(db_path) == db.current_head()
