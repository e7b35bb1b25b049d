"""Storage faults: a full disk, a long lock, a damaged or read-only file.

Each must end in one clear error, nothing half-written, and — for the full
disk and the lock — normal service again once the cause goes away, on the
same open connection (the daemon is not restarted).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.cli.main import main
from kiosk.domain import people, slots
from kiosk.domain.intake import AddAsset
from kiosk.domain.operations import execute
from kiosk.domain.placement import Assign, Vacate
from kiosk.domain.types import SlotRef
from kiosk.errors import HardStop, StorageBusy, StorageError, StorageFull
from kiosk.store.db import Database
from tests.conftest import ACTOR, add, snapshot
from tests.domain.helpers import sound
from tests.faults.helpers import HOLD_LOCK, fill_disk, small_tmpfs


def _fill(db, start=0):
    """Add assets until the store refuses; return how many went in."""
    i = start
    while True:
        try:
            add(db, f"FILL-{i:05d}", notes="x" * 3000)
        except StorageFull:
            return i
        i += 1


def test_page_limit_full_then_recovers(stocked):
    pages = stocked.conn.execute("PRAGMA page_count").fetchone()[0]
    stocked.conn.execute(f"PRAGMA max_page_count = {pages + 40}")
    added = _fill(stocked)
    assert added > 0
    before = snapshot(stocked)
    with pytest.raises(StorageFull, match="storage full"):
        add(stocked, "ONE-MORE", notes="y" * 3000)
    assert snapshot(stocked) == before
    sound(stocked)
    stocked.conn.execute("PRAGMA max_page_count = 1073741823")
    add(stocked, "ONE-MORE", notes="y" * 3000)
    sound(stocked)


def test_real_disk_full_then_space_returns(tmp_path):
    with small_tmpfs(tmp_path) as mnt:
        db = Database(mnt / "assettrack.db")
        slots.init_case(db, "A", 4, actor=ACTOR)
        add(db, "LT-1", "A:1")
        filler = fill_disk(mnt)
        # WAL frames need room: the operation that cannot write them fails whole,
        # and every one before it is there in full.
        for i in range(200):
            before = snapshot(db)
            try:
                add(db, f"LT-X{i}", "A:2" if i == 0 else None, notes="n" * 4000)
            except StorageFull:
                break
        else:
            pytest.fail("the disk never filled up")
        assert snapshot(db) == before
        sound(db)
        filler.unlink()
        execute(db, Vacate(slot=SlotRef.of("A", 1)), actor=ACTOR)
        execute(db, Assign("LT-1", SlotRef.of("A", 3)), actor=ACTOR)
        sound(db)
        db.close()


def test_cli_reports_storage_full_with_exit_1(tmp_path, capsys):
    with small_tmpfs(tmp_path, size="256k") as mnt:
        path = mnt / "a.db"
        assert main(["--db", str(path), "case", "init", "A", "--slots", "2"]) == 0
        fill_disk(mnt)
        capsys.readouterr()
        code = 0
        for i in range(100):
            code = main(["--db", str(path), "asset", "add", f"T{i}", "--notes", "z" * 4000])
            if code:
                break
        err = capsys.readouterr().err
        assert code == 1
        assert err.startswith("error: storage full") and err.count("\n") == 1


def test_long_lock_gives_busy_then_works(tmp_path):
    path = tmp_path / "a.db"
    db = Database(path, busy_timeout=0.3)
    slots.init_case(db, "A", 2, actor=ACTOR)
    add(db, "LT-1")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = snapshot(db)
        with pytest.raises(StorageBusy, match="database busy"):
            execute(db, Assign("LT-1", SlotRef.of("A", 1)), actor=ACTOR)
        assert snapshot(db) == before
    finally:
        holder.communicate("\n", timeout=10)
    execute(db, Assign("LT-1", SlotRef.of("A", 1)), actor=ACTOR)
    with db.read() as conn:
        assigned = conn.execute("SELECT count(*) FROM events WHERE op='assign'").fetchone()[0]
    assert assigned == 1
    sound(db)


def test_truncated_file_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "a.db"
    db = Database(path)
    slots.init_case(db, "A", 50, actor=ACTOR)
    for i in range(30):
        people.add_person(db, f"P{i}", "n" * 200, actor=ACTOR)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])
    code = main(["--db", str(path), "case", "list"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert "damaged" in err or "malformed" in err


def test_wrong_file_at_path(tmp_path, capsys):
    path = tmp_path / "a.db"
    path.write_text("name,tag\nfoo,bar\n" * 200)
    assert main(["--db", str(path), "case", "list"]) == 1
    assert "not a database" in capsys.readouterr().err


def test_read_only_filesystem(tmp_path, capsys):
    with small_tmpfs(tmp_path) as mnt:
        path = mnt / "a.db"
        db = Database(path)
        slots.init_case(db, "A", 1, actor=ACTOR)
        db.close()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        code = main(["--db", str(path), "case", "init", "A", "--slots", "3"])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1, err
        assert "read-only" in err or "cannot open" in err or "unable to open" in err, err


def test_directory_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StorageError, match="cannot create database"):
        Database(blocker / "sub" / "a.db")


def test_failed_commit_rolls_back_and_the_connection_writes_again(tmp_path):
    """COMMIT itself fails (no room for the WAL frames): the same connection,
    like the daemon's long-lived one, must be out of the transaction and
    able to write once there is room again."""
    with small_tmpfs(tmp_path) as mnt:
        db = Database(mnt / "assettrack.db")
        slots.init_case(db, "A", 2, actor=ACTOR)
        before = snapshot(db)
        filler = fill_disk(mnt)
        reached_commit = False
        with pytest.raises(StorageFull), db.write() as conn:
            # A row this small stays in SQLite's page cache: only COMMIT writes.
            conn.execute("INSERT INTO people (badge, name, created) VALUES ('P1', 'Pat', 'now')")
            reached_commit = True
        assert reached_commit, "the statement failed, not the COMMIT"
        assert not db.conn.in_transaction
        filler.unlink()
        assert snapshot(db) == before
        execute(db, AddAsset(tag="LT-1", into=SlotRef("A", 1)), actor=ACTOR)
        sound(db)
        db.close()


def test_commit_refused_at_the_end_leaves_the_connection_usable(stocked):
    """SQLite keeps a transaction open when COMMIT itself is refused (here a
    deferred foreign key, checked only at COMMIT): write() must roll it back,
    or every later write on this connection fails."""
    before = snapshot(stocked)
    with pytest.raises(HardStop, match="FOREIGN KEY"), stocked.write() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute(
            "INSERT INTO assets (tag, status, custodian, created, updated) "
            "VALUES ('LT-9', 'IN_CUSTODY', 'no-such-badge', 'now', 'now')"
        )
    assert not stocked.conn.in_transaction
    assert snapshot(stocked) == before
    execute(stocked, Assign("LT-4", SlotRef("A", 3)), actor=ACTOR)
    sound(stocked)
