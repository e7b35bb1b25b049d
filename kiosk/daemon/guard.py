"""The kiosk's hold on its database file: one kiosk per file, and the same file throughout.

Two faults a person must resolve, each stopping the kiosk with an error a
restart would not fix (:class:`~kiosk.errors.StorageUnusable`; ``run``
exits 78, which the unit's ``RestartPreventExitStatus=`` keeps systemd from
restarting into):

**One kiosk per database.** Two daemons on one file would both drive the
same slots' LEDs and take turns committing. :class:`KioskLock` takes an
advisory ``flock(2)`` on ``<database>.kiosk.lock`` beside the file and
writes its pid there; a second ``run`` finds it held and refuses, naming the
first. The kernel drops the lock when the holder dies, however it dies, so a
stale file never blocks a restart. The CLI takes no such lock: its writes are
ordinary SQLite transactions the kiosk notices through ``data_version``.

**The file at the path is the one opened.** SQLite keeps writing to the
inode it opened: after ``rm`` or an ``os.replace`` with an older copy, commits
land in a file no one will ever open again, and the kiosk would show "Done"
for work that is lost. :class:`FileIdentity` remembers the device and inode
and tells, cheaply (one ``stat``), whether the path still leads there.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from kiosk.errors import StorageUnusable
from kiosk.sanitize import clean
from kiosk.store.db import suit_directory

LOCK_SUFFIX = ".kiosk.lock"


class KioskRunning(StorageUnusable):
    """Another kiosk daemon already holds this database."""

    code = "kiosk_running"


class DatabaseMoved(StorageUnusable):
    """The database file was deleted or replaced under the running kiosk."""

    code = "database_moved"


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


class KioskLock:
    """An exclusive advisory lock on the file beside the database, held until :meth:`release`."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> KioskLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o660)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise KioskRunning(
                f"another kiosk (pid {clean(holder)}) is running on {self.db_path}; "
                "stop it first (systemctl stop assettrack)"
            ) from None
        except OSError:
            os.close(fd)
            raise
        # Like the database and its -wal/-shm: the state directory's group may
        # write it, whoever made it first. Another user's file stays as it is.
        with contextlib.suppress(PermissionError):
            suit_directory(fd, self.path.parent)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Unlock (closing drops the lock). The file stays: removing it would race a starter."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


class FileIdentity:
    """Device and inode of the database as opened; :meth:`lost` says if the path moved on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        st = os.stat(path)
        self._id = (st.st_dev, st.st_ino)

    def lost(self) -> str:
        """Why the path no longer leads to the file opened ("" while it does)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return f"the database file {self.path} was deleted"
        except OSError as exc:
            return f"the database file {self.path} cannot be checked: {exc.strerror}"
        if (st.st_dev, st.st_ino) != self._id:
            return f"the database file {self.path} was replaced by another file"
        return ""
