"""Online backup and verified, atomic restore of the database file.

``backup`` copies through SQLite's backup API in one step: the copy is one
consistent snapshot (a read transaction), taken while the daemon keeps
writing (WAL readers do not block writers). It is written beside its final
name, checked, fsynced, then renamed, so a half-written backup never
carries the final name. The copy is a single self-contained file
(rollback journal, not WAL).

Both refuse a file whose schema is not exactly the one the migrations
create (:mod:`kiosk.store.schema`); an older file is migrated -- in memory
for a check, the temporary copy for a restore -- and checked whole.

``restore`` is for a stopped kiosk. It copies the source the same way into
a temporary file next to the live database, verifies *that copy* (what is
checked is what goes live; its tables must be its log's replay), moves the live file aside as
``<name>.before-restore`` (hard link, so the live name never disappears)
and renames the copy into place.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import HardStop, InvalidInput, KioskError, NoDatabase, NotFound, StorageError
from kiosk.sanitize import clean
from kiosk.store import db, events, heads, invariants, migrations, replay, schema

SUFFIX_BEFORE = ".before-restore"


@dataclass(frozen=True)
class Verified:
    """What :func:`verify` found in a sound database file."""

    schema: int
    events: int
    assets: int
    #: The newest event of the copy: recorded elsewhere, it pins this history.
    head: heads.Head

    def as_dict(self) -> dict[str, int | str]:
        return {
            "schema": self.schema,
            "events": self.events,
            "assets": self.assets,
            "head": str(self.head),
        }


def open_reader(path: Path, timeout: float = 10.0) -> sqlite3.Connection:
    """A connection that cannot write (``query_only``) to an existing database.

    Not ``mode=ro`` when the file and its directory are writable: a
    read-only connection to a WAL database leaves ``-wal`` and ``-shm``
    files behind (owned by whoever ran it, root included), while the last
    ordinary connection to close removes them.
    """
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    uri = f"file:{path.resolve()}?mode={'rw' if writable else 'ro'}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def _connect(path: Path, *, readonly: bool) -> Iterator[sqlite3.Connection]:
    try:
        if readonly:
            conn = open_reader(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    except sqlite3.Error as err:
        raise StorageError(f"cannot open {clean(path)}: {err}") from None
    try:
        yield conn
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    """Make a file's content, or a directory's entries, durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.tmp-{os.getpid()}")


def _copy(source: Path, target: Path) -> None:
    """One-step online copy of ``source`` into the new file ``target``."""
    try:
        with _connect(source, readonly=True) as src, _connect(target, readonly=False) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as err:
        target.unlink(missing_ok=True)
        raise StorageError(f"cannot copy {clean(source)}: {err}") from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def verify(path: Path, *, with_replay: bool = False) -> Verified:
    """Refuse anything that is not a sound AssetTrack database this code can use.

    An older schema is checked against the schema of its own version, then
    migrated -- in memory, the file is not touched -- and checked whole,
    exactly as a current one: its log and tables must hold up too. With
    ``with_replay`` (what a restore puts live) the tables must also be
    exactly what replaying its log gives.
    """
    require_file(path)
    with _connect(path, readonly=True) as conn:
        try:
            version = _check_version(conn, path)
            _check_schema(conn, path, version)
            if version == migrations.LATEST:
                return _check_content(conn, path, version, with_replay)
            with migrated_copy(conn) as copy:
                _check_schema(copy, path, migrations.LATEST)
                return _check_content(copy, path, version, with_replay)
        except sqlite3.DatabaseError as err:
            raise HardStop(
                f"{clean(path)} is not a usable database: {err}", code="corrupt"
            ) from None


def _check_version(conn: sqlite3.Connection, path: Path) -> int:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = migrations.version(conn)
    if app_id != migrations.APPLICATION_ID:
        raise HardStop(f"{clean(path)} is not an AssetTrack database", code="not_ours")
    if not 1 <= version <= migrations.LATEST:
        raise HardStop(
            f"{clean(path)} has schema version {version}; this AssetTrack "
            f"reads 1..{migrations.LATEST}",
            code="wrong_schema",
        )
    return version


def _check_schema(conn: sqlite3.Connection, path: Path, version: int) -> None:
    found = schema.differences(conn, version)
    if found:
        raise HardStop(
            f"{clean(path)}: schema is not the one AssetTrack creates: "
            f"{clean(schema.describe(found))}",
            code="wrong_schema",
        )


@contextlib.contextmanager
def migrated_copy(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """An in-memory copy of ``conn``'s database, migrated to the latest schema."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.backup(copy)
        migrations.upgrade(copy)
        yield copy
    finally:
        copy.close()


def _check_content(
    conn: sqlite3.Connection, path: Path, version: int, with_replay: bool
) -> Verified:
    """Integrity, the event chain, the invariants (and the replay) at the latest schema."""
    broken = invariants.integrity(conn)
    if broken:
        raise HardStop(f"{clean(path)} is damaged: {broken[0]}", code="corrupt")
    verdict = events.verify(conn)
    if not verdict.ok:
        raise HardStop(
            f"{clean(path)}: event log broken at event {verdict.bad_id}: {verdict.reason}",
            code="log_broken",
        )
    wrong = invariants.violations(conn)
    if wrong:
        raise HardStop(f"{clean(path)}: {clean(wrong[0])}", code="inconsistent")
    if with_replay:
        differ = replay.compare(conn)[1]
        if differ:
            raise HardStop(
                f"{clean(path)}: {len(differ)} rows differ from its event log: "
                f"{clean(schema.describe([str(d) for d in differ]))}",
                code="inconsistent",
            )
    count = conn.execute("SELECT count(*) FROM assets").fetchone()[0]
    return Verified(version, verdict.count, count, heads.Head(verdict.count, verdict.head))


def default_name(now: _dt.datetime | None = None) -> str:
    now = now or _dt.datetime.now(_dt.UTC)
    return f"assettrack-{now.strftime('%Y%m%dT%H%M%SZ')}.db"


def backup(source: Path, dest: Path, *, overwrite: bool = False) -> tuple[Path, Verified]:
    """Copy the live database ``source`` to ``dest`` (a file, or a directory)."""
    if not source.exists():
        raise NoDatabase(f"no database at {clean(source)}")
    if dest.is_dir():
        dest = dest / default_name()
    if dest.exists() and not overwrite:
        raise HardStop(f"{clean(dest)} exists; choose another name or use --force", code="exists")
    if not dest.parent.is_dir():
        # An output that cannot be written is an I/O failure (exit 1), as for every command.
        raise KioskError(
            f"cannot write {clean(dest)}: no directory {clean(dest.parent)}", code="io_error"
        )
    temp = _temp_name(dest)
    temp.unlink(missing_ok=True)
    try:
        _create_like(temp, source)
    except OSError as exc:
        raise StorageError(f"cannot write {clean(dest)}: {exc.strerror}") from None
    _copy(source, temp)
    try:
        found = verify(temp)
        _fsync(temp)
        os.replace(temp, dest)
    finally:
        temp.unlink(missing_ok=True)
    _fsync(dest.parent)
    return dest, found


def restore(source: Path, target: Path, actor: str) -> tuple[Path | None, Verified]:
    """Replace the database ``target`` by a verified copy of ``source``.

    The copy's event log gains a ``restore`` event naming ``actor`` and the
    source, so the log says who put this state back and from where. The
    caller makes sure the kiosk daemon is stopped. Returns where the old
    file was kept (None when there was none) and what was restored.
    """
    require_file(source)
    if target.exists() and source.resolve() == target.resolve():
        raise InvalidInput("the source is the live database itself")
    target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
    temp = _temp_name(target)
    temp.unlink(missing_ok=True)
    _copy(source, temp)
    try:
        found = verify(temp, with_replay=True)
        if found.schema < migrations.LATEST:
            # What goes live is migrated before the swap and checked again.
            _upgrade(temp)
            found = verify(temp, with_replay=True)
        # Mode and owner first: whatever SQLite makes next to it follows them.
        _same_owner(temp, target)
        head = _record(temp, actor, source, found, _live_head(target))
        _fsync(temp)
        kept = _set_aside(target)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync(target.parent)
    # The restored log is the new truth: its head replaces the old one.
    heads.write(target, head)
    return kept, found


def _upgrade(path: Path) -> None:
    with _connect(path, readonly=False) as conn:
        migrations.upgrade(conn)


def _live_head(target: Path) -> heads.Head | None:
    """The head of the database a restore replaces (None when there is none)."""
    if not target.exists():
        return None
    try:
        with _connect(target, readonly=True) as conn:
            return heads.current(conn)
    except (sqlite3.Error, StorageError):
        return None


def _record(
    path: Path, actor: str, source: Path, found: Verified, replaced: heads.Head | None
) -> heads.Head:
    """Append the ``restore`` event (naming the history it replaces, if any); its head."""
    details: dict[str, object] = {"source": str(source), "events": found.events}
    if replaced is not None:
        details["replaced_head"] = str(replaced)
    with _connect(path, readonly=False) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            events.append(conn, actor=actor, op="restore", details=details)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return heads.current(conn)


def require_file(path: Path) -> None:
    if not path.is_file():
        raise NotFound(f"no such file: {clean(path)}")


def _create_like(path: Path, database: Path) -> None:
    """Create the empty file ``path`` as private as ``database``, before any data goes in.

    A backup holds every name and badge: it gets the database's mode, never
    more than 0640, and, made by root, the database's owner, so a backup
    taken with sudo is neither world-readable nor root's. Anyone else gives
    it the database's group when they are in it (staff in the service group).
    """
    st = database.stat()
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    try:
        if os.geteuid() == 0:
            os.fchown(fd, st.st_uid, st.st_gid)
        else:
            with contextlib.suppress(PermissionError):
                os.fchown(fd, -1, st.st_gid)
        os.fchmod(fd, st.st_mode & 0o640)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def _same_owner(new: Path, old: Path) -> None:
    """Give the restored file the live file's mode and owner (root restores for the daemon)."""
    try:
        st = old.stat()
    except FileNotFoundError:
        fd = os.open(new, os.O_RDONLY)
        try:
            db.suit_directory(fd, old.parent)
        finally:
            os.close(fd)
        return
    os.chmod(new, st.st_mode & 0o777)
    if os.geteuid() == 0:
        os.chown(new, st.st_uid, st.st_gid)


def _set_aside(target: Path) -> Path | None:
    """Fold the live file's WAL into it and keep it as ``*.before-restore``.

    Leaving WAL mode needs the only connection: if anything else holds the
    database open this fails, and the restore stops before touching it.
    """
    if not target.exists():
        return None
    try:
        with _connect(target, readonly=False) as conn:
            conn.execute("PRAGMA busy_timeout = 2000")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.Error as err:
        raise HardStop(
            f"{clean(target)} is in use ({err}); stop what uses it", code="busy"
        ) from None
    if str(mode).lower() != "delete":
        raise HardStop(f"{clean(target)} is in use; stop what uses it", code="busy")
    kept = target.with_name(target.name + SUFFIX_BEFORE)
    kept.unlink(missing_ok=True)
    os.link(target, kept)
    return kept
