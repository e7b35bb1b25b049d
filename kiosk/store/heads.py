"""The log's head, kept where the events table cannot rewrite it in the same act.

A hash chain proves every event up to its last one, but not that the last
one is the real last one: delete the tail and what remains is a valid,
shorter chain. The head -- the newest event's id and hash, written
``ID:HASH`` -- therefore lives outside the table too:

* in ``<database>.head`` beside the database, overwritten after each commit
  that appended events (:meth:`kiosk.store.db.Database.write`). Deleting
  events with the sqlite3 shell does not touch it, so ``log verify`` sees a
  log that ends before its recorded head;
* in the daemon's journal (a line per commit), and in what ``backup``
  prints for the copy it made;
* off the box (the fleet's central ledger), which a person who can write
  both files here cannot reach.

A recorded head *behind* the log is normal (a crash between COMMIT and the
file's write, two writers racing): only a log that no longer holds the
recorded head -- shorter than it, or with another hash at its id -- is a
finding. The file is not fsynced: losing its latest write to a power cut
makes it behind, never wrong.
"""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

from kiosk.errors import InvalidInput

GENESIS = "0" * 64
SUFFIX = ".head"
#: Every record is this long (the longest id, ':', the hash, padding, newline).
_WIDTH = 20 + 1 + 64 + 1
_HEX = frozenset("0123456789abcdef")


class Head:
    """An event's id and hash: ``Head(0, GENESIS)`` is the empty log's head."""

    __slots__ = ("id", "hash")

    def __init__(self, event_id: int, digest: str) -> None:
        self.id = event_id
        self.hash = digest

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"

    def __repr__(self) -> str:
        return f"Head({self.id}, {self.hash[:12]}...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Head) and (self.id, self.hash) == (other.id, other.hash)

    def __hash__(self) -> int:
        return hash((self.id, self.hash))


EMPTY = Head(0, GENESIS)


def parse(text: str) -> Head:
    """``ID:HASH`` (as ``log verify`` and ``backup`` print it) -> :class:`Head`."""
    number, sep, digest = text.strip().partition(":")
    digest = digest.lower()
    if not sep or not number.isdigit() or len(digest) != 64 or not set(digest) <= _HEX:
        raise InvalidInput(f"a head is ID:HASH (a number, a colon, 64 hex digits), not {text!r}")
    return Head(int(number), digest)


def current(conn: sqlite3.Connection) -> Head:
    """The newest event's head (:data:`EMPTY` for an empty log)."""
    row = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    return EMPTY if row is None else Head(row[0], row[1])


def path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + SUFFIX)


def read(db_path: Path) -> Head | None:
    """The head recorded beside ``db_path``; None when there is no file.

    An empty file (one being created) counts as none; a file that does not
    hold a head is an :class:`InvalidInput` naming it.
    """
    path = path_for(db_path)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    if not text.strip():
        return None
    try:
        return parse(text)
    except InvalidInput:
        raise InvalidInput(f"{path} does not hold a head (ID:HASH)") from None


def write(db_path: Path, head: Head) -> bool:
    """Record ``head`` beside ``db_path`` once (a backup's copy); see :class:`HeadFile`."""
    with HeadFile(db_path) as record:
        return record.write(head)


class HeadFile:
    """The head record beside one database, kept open between its commits.

    The record has a fixed length and is overwritten in place with one
    ``pwrite`` -- a few microseconds, where a new file renamed over the old
    one costs a flush of its data on ext4 (milliseconds on every commit).
    The file stays open, but each write first looks the path up again: a
    head file deleted or replaced since (by hand, by ``restore``) is opened
    anew, so the record never goes to a file nobody can read. Created with
    the database's mode and owner.
    """

    def __init__(self, db_path: Path) -> None:
        self._db_path = db_path
        self._path = str(path_for(db_path))
        #: The open file and the (device, inode) it had when opened.
        self._open: tuple[io.FileIO, tuple[int, int]] | None = None

    def write(self, head: Head) -> bool:
        """False when it cannot (a read-only directory, no room).

        The commit has happened regardless, and the next one tries again.
        """
        record = f"{head}".ljust(_WIDTH - 1).encode("ascii") + b"\n"
        try:
            os.pwrite(self._current(), record, 0)
        except OSError:
            self.close()
            return False
        return True

    def _current(self) -> int:
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            st = None
        if self._open is not None and st is not None and _identity(st) == self._open[1]:
            return self._open[0].fileno()
        self.close()
        fd = (
            _create(Path(self._path), self._db_path)
            if st is None
            else os.open(self._path, os.O_WRONLY)
        )
        # Closed with the object even if close() is never called.
        self._open = (io.FileIO(fd, "w"), _identity(os.fstat(fd)))
        return fd

    def close(self) -> None:
        if self._open is not None:
            self._open[0].close()
            self._open = None

    def __enter__(self) -> HeadFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _create(path: Path, db_path: Path) -> int:
    st = os.stat(db_path)
    mode = st.st_mode & 0o660
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, mode)
    # Set outright: the umask (the unit's 0027, a staff shell's 0022) narrowed
    # it, and the service and staff both write this file after their commits.
    os.fchmod(fd, mode)
    if os.geteuid() == 0:
        # root working on the installed database leaves no root-owned file.
        os.fchown(fd, st.st_uid, st.st_gid)
    return fd


def missing_from(conn: sqlite3.Connection, recorded: Head) -> str:
    """Why the log no longer holds ``recorded``; empty when it does.

    Run after the chain verified: the ids are then 1..N without gaps.
    """
    if recorded.id == 0:
        return ""
    row = conn.execute("SELECT hash FROM events WHERE id = ?", (recorded.id,)).fetchone()
    if row is None:
        last = current(conn).id
        return (
            f"the log ends at event {last} but its head was recorded at event {recorded.id}: "
            f"events {last + 1}..{recorded.id} were removed"
        )
    if row[0] != recorded.hash:
        return (
            f"event {recorded.id} does not have the recorded hash: "
            "the history up to it was rewritten"
        )
    return ""
