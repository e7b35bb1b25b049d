"""Typed errors shared by the domain, the CLI and the daemon.

Every refusal in AssetTrack is one of these. Each carries a machine code
(snake_case, used in ``--json`` output) and the process exit code the CLI
returns, so a script can tell "you typed it wrong" from "the slot is taken"
without parsing English.

Exit codes are a contract:

====  ==========================================================
0     ok
1     anything else (storage full, I/O, daemon unreachable, ...)
2     usage or invalid input
3     hard stop: a conflict or a wrong state; nothing was changed
4     not found: unknown case, slot, asset or person
====  ==========================================================
"""

from __future__ import annotations


class KioskError(Exception):
    """Base of every expected failure. The message is one line for a person."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        # One line, always: callers print it verbatim after "error: ".
        super().__init__(" ".join(str(message).split()))
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(KioskError):
    """The request itself is malformed: bad tag, position 0, unknown option."""

    code = "invalid_input"
    exit_code = 2


class HardStop(KioskError):
    """The request is well-formed but the world forbids it right now.

    The message names what blocks it ("slot CART-A:4 holds LT-0193").
    Raising it guarantees nothing was written.
    """

    code = "conflict"
    exit_code = 3


class ChangedSincePreview(HardStop):
    """A previewed plan no longer matches the database at commit time."""

    code = "changed_since_preview"


class NotFound(KioskError):
    """An unknown case, slot, asset or person."""

    code = "not_found"
    exit_code = 4


class NoDatabase(NotFound):
    """No database file at the path: reading or changing one never creates it.

    Creating one is a deliberate act: ``assettrack init``, ``case init`` or
    ``demo seed``.
    """

    code = "no_database"


class StorageError(KioskError):
    """The database cannot be used: full disk, locked too long, corrupt, read-only."""

    code = "storage_error"
    exit_code = 1


class StorageFull(StorageError):
    code = "storage_full"


class StorageBusy(StorageError):
    code = "storage_busy"


class StorageUnusable(StorageError):
    """The file cannot be used until a person acts: damaged, not ours, read-only, no access.

    Retrying will not help, unlike a full disk or a lock held too long; the
    daemon refuses to start on it with an exit code systemd does not restart.
    """


class ConfigError(KioskError):
    """The configuration file is missing a key or holds a bad value."""

    code = "config_error"
    exit_code = 2
