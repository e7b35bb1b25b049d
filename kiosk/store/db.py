"""The one connection factory: every reader and writer opens SQLite here.

Durability and concurrency are settled once, in :class:`Database`:

* WAL journal and ``synchronous=FULL``: a committed transaction survives a
  kill -9 or a power cut (each commit fsyncs the WAL).
* ``foreign_keys=ON`` and a ``busy_timeout``: writers queue instead of
  failing, up to the timeout, then get :class:`~kiosk.errors.StorageBusy`.
* :meth:`Database.write` opens ``BEGIN IMMEDIATE``: the write lock is taken
  before anything is read, so what a transaction validates cannot change
  under it before it commits. A failed COMMIT (a full disk) rolls back, as
  sqlite-utils' ``atomic()`` does, so the long-lived connection of the
  daemon is usable again for the next write.

SQLite errors are translated into the typed errors of :mod:`kiosk.errors`
so callers see "storage full" rather than an ``OperationalError``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from kiosk.errors import (
    HardStop,
    NoDatabase,
    StorageBusy,
    StorageError,
    StorageFull,
    StorageUnusable,
)
from kiosk.store import heads, migrations, schema

DEFAULT_BUSY_TIMEOUT = 5.0
DB_FILENAME = "assettrack.db"


# Below this much free space an I/O error is taken to be a full disk: SQLite
# reports ENOSPC on its shared-memory file as a plain I/O error.
LOW_SPACE = 1 << 20


def _low_space(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < LOW_SPACE


def why_cantopen(path: Path | None) -> str:
    """Name the usual reason SQLite cannot open a file, which it does not say."""
    if path is None:
        return ""
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        return f"directory {path.parent} is not reachable"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"no write permission on directory {path.parent} (WAL needs it)"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "no read/write permission on the file"
    return ""


def translate(exc: sqlite3.Error, path: Path | None = None) -> Exception:
    """Map a sqlite3 exception to the matching :mod:`kiosk.errors` type."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    full = name.startswith("SQLITE_IOERR") and _low_space(path)
    if full or name.startswith("SQLITE_FULL") or "disk is full" in text:
        return StorageFull("storage full: the database cannot grow; free space and retry")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StorageBusy("database busy: another process holds it; try again")
    if isinstance(exc, sqlite3.IntegrityError):
        # The schema's own guard fired (CHECK, UNIQUE, trigger): a hard stop.
        return HardStop(f"refused by the database: {text}")
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StorageUnusable(f"database is read-only: {text}")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in text:
        return StorageUnusable(f"database file is damaged or not a database: {text}")
    if name.startswith("SQLITE_CANTOPEN"):
        return StorageUnusable(f"cannot open database {path or ''}: {why_cantopen(path) or text}")
    if name.startswith("SQLITE_IOERR"):
        return StorageError(f"disk I/O error: {text}")
    return StorageError(f"database error: {text}")


@contextlib.contextmanager
def translated(path: Path | None = None) -> Iterator[None]:
    """Re-raise any sqlite3 error inside the block as a typed error."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc


def suit_directory(fd: int, directory: Path) -> None:
    """Give the new database file ``fd`` the mode and owner its directory calls for.

    Group-readable; group-writable too when the directory is (the installed
    kiosk's setgid state directory, shared by the service and the staff in
    its group). SQLite gives ``-wal``, ``-shm`` and journals the database's
    mode, so they follow. Made by root, the file takes the directory's
    owner: a root command must not leave a file the service cannot write.
    """
    where = directory.stat()
    if os.geteuid() == 0:
        os.fchown(fd, where.st_uid, where.st_gid)
    # Set outright: the umask narrowed the mode open() was given.
    os.fchmod(fd, 0o660 if where.st_mode & stat.S_IWGRP else 0o640)


def _create_file(path: Path) -> None:
    """Create an empty database file that suits its directory; make its name durable."""
    path.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        # Another process created it since our check: as good as ours, since
        # migrations re-read the version under the write lock.
        return
    try:
        suit_directory(fd, path.parent)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    # fsync the directory so the new name survives a power cut.
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


class Database:
    """An open AssetTrack database.

    ``Database(path)`` opens (creating if ``create``) and migrates the file.
    With ``exact_schema`` (the daemon) a schema other than the migrations'
    own -- a trigger dropped or added, a view for a table, a table of
    somebody else's -- is refused (:class:`StorageUnusable`), before and
    after migrating (:mod:`kiosk.store.schema`).
    Use :meth:`write` for every change and :meth:`read` for a consistent
    multi-statement read; single statements may use :attr:`conn` directly.
    """

    #: The log's head as this connection last recorded it beside the file.
    head: heads.Head | None = None
    #: Whether commits record the head beside :attr:`path` (a copy in memory must not).
    records_head: bool = True
    _head_file: heads.HeadFile | None = None

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        create: bool = True,
        migrate: bool = True,
        exact_schema: bool = False,
    ) -> None:
        self.path = Path(path)
        self._head_file = heads.HeadFile(self.path) if self.records_head else None
        self.busy_timeout = busy_timeout
        self.journal_mode = ""
        if not self.path.exists():
            if not create:
                raise NoDatabase(f"no database at {self.path}: create one with `assettrack init`")
            with translated_os(self.path):
                _create_file(self.path)
        with translated(self.path):
            self.conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        try:
            with translated(self.path):
                # Before anything that writes (WAL mode changes the file's header):
                # a file that is not ours is refused untouched.
                migrations.check_compatible(self.conn, self.path)
                if exact_schema:
                    # Before a migration builds on it (and writes the file).
                    schema.require_exact(self.conn, self.path)
                self._configure()
                if migrate:
                    migrations.upgrade(self.conn)
                if exact_schema:
                    schema.require_exact(self.conn, self.path)
        except BaseException:
            self.conn.close()
            raise

    def _configure(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        # Not WAL only where the file system cannot share memory (some network
        # mounts); the daemon says so in its log, doctor in its report.
        self.journal_mode = self._enter_wal()
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")

    def _enter_wal(self) -> str:
        """Switch to WAL, waiting up to the busy timeout while another opener holds the file.

        Leaving a rollback journal needs the file to itself, and SQLite
        answers "locked" at once rather than through the busy handler when
        another process is opening (and migrating) the same old file.
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return str(self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    # -- transactions ---------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); commits or rolls back whole.

        COMMIT is inside the guarded block: when it fails (no room for the
        WAL frames), the transaction is rolled back and the error raised, and
        the connection is ready for the next :meth:`write`.
        """
        with translated(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            if self._head_file is not None:
                self._record_head(self._head_file)

    def _record_head(self, record: heads.HeadFile) -> None:
        """Keep the log's head beside the file (see :mod:`kiosk.store.heads`).

        Outside the transaction, so the events table and the head file are
        never rewritten in one act; a failure here costs detection, not data.
        """
        head = heads.current(self.conn)
        if head != self.head and record.write(head):
            self.head = head

    def _rollback(self) -> None:
        if not self.conn.in_transaction:
            return  # SQLite already rolled back (it may, after an I/O error)
        # The error that made us roll back is the one to report; if ROLLBACK
        # fails too, SQLite has already abandoned the transaction.
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement inside sees the same snapshot."""
        with translated(self.path):
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")

    def current_head(self) -> heads.Head:
        """The log's newest event (``ID:HASH``): the daemon logs it to the journal."""
        with translated(self.path):
            return heads.current(self.conn)

    def data_version(self) -> int:
        """Changes when *another* connection commits (cheap; poll it on a tick)."""
        with translated(self.path):
            version: int = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return version

    def close(self) -> None:
        if self._head_file is not None:
            self._head_file.close()
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def translated_os(path: Path) -> Iterator[None]:
    try:
        yield
    except PermissionError:
        raise StorageUnusable(f"permission denied creating database at {path}") from None
    except OSError as exc:
        if exc.errno == 28:
            raise StorageFull(f"storage full: cannot create {path}") from None
        raise StorageError(f"cannot create database at {path}: {exc.strerror}") from None


SYSTEM_DIR = Path("/var/lib/assettrack")


def default_path() -> Path:
    """Where the database lives when nothing says otherwise.

    Under systemd the unit's ``StateDirectory=`` (``$STATE_DIRECTORY``).
    Otherwise the installed kiosk's database when there is one, so a
    technician who logs in as themselves works on the real data rather
    than a new empty file; root uses that location regardless; anyone
    else on a machine without an installed kiosk gets their XDG data
    directory (a developer's laptop).
    """
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0]) / DB_FILENAME
    system = SYSTEM_DIR / DB_FILENAME
    if os.geteuid() == 0 or system.exists():
        return system
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "assettrack" / DB_FILENAME


def resolve_path(cli_value: str | None, config_value: str | os.PathLike[str] | None) -> Path:
    """``--db``, else ``$ASSETTRACK_DB``, else the config file, else :func:`default_path`."""
    for value in (cli_value, os.environ.get("ASSETTRACK_DB"), config_value):
        if value:
            return Path(value).expanduser()
    return default_path()
