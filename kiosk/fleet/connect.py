"""Connecting to the central database, and what its failures mean to the CLI.

psycopg is imported here, when a fleet command connects, and nowhere at
module level: a kiosk without the ``fleet`` extra never needs it, and no
other command pays for importing it.

TLS is the DSN's business (``sslmode=verify-full sslrootcert=...``), as with
any libpq client; see ``docs/fleet.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.errors import HardStop, InvalidInput, KioskError
from kiosk.sanitize import clean

if TYPE_CHECKING:
    import psycopg

#: Seconds to wait for the server to answer a connection attempt.
CONNECT_TIMEOUT = 10


class FleetUnreachable(KioskError):
    """The central database cannot be reached or went away: retry later (exit 1)."""

    code = "fleet_unreachable"


class ChainRefused(HardStop):
    """The central ledger refused this kiosk's log: a fork or a rollback (exit 3).

    ``details`` names the event ids, for ``--json``.
    """

    def __init__(self, message: str, *, code: str, details: dict[str, Any]) -> None:
        super().__init__(message, code=code)
        self.details = details


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise KioskError(
            "the fleet commands need psycopg: pip install 'assettrack[fleet]'",
            code="fleet_not_installed",
        ) from None
    return psycopg


def connect(dsn: str, *, application: str = "assettrack") -> psycopg.Connection[Any]:
    """A connection with autocommit off; :class:`FleetUnreachable` when there is none."""
    if not dsn:
        raise InvalidInput("no central database: set [fleet] dsn or pass --dsn")
    pg = _psycopg()
    try:
        conn: psycopg.Connection[Any] = pg.connect(
            dsn, connect_timeout=CONNECT_TIMEOUT, application_name=application
        )
    except pg.ProgrammingError as err:
        raise InvalidInput(f"bad --dsn: {clean(err)}") from None
    except pg.Error as err:
        raise FleetUnreachable(f"central database unreachable: {_first_line(err)}") from None
    return conn


def translate(err: Exception) -> KioskError:
    """A psycopg error as one of ours: lost connections are retryable, the rest are not."""
    psycopg = _psycopg()
    # Lost connections, a server shutting down or restarting, cancelled queries.
    if isinstance(err, psycopg.OperationalError):
        return FleetUnreachable(f"central database unreachable: {_first_line(err)}")
    if isinstance(err, psycopg.errors.InsufficientPrivilege):
        return KioskError(f"refused by the central database: {_first_line(err)}", code="denied")
    return KioskError(f"central database error: {_first_line(err)}", code="fleet_error")


def is_connection_lost(err: Exception) -> bool:
    return isinstance(translate(err), FleetUnreachable)


def _first_line(err: object) -> str:
    text = str(err).strip().splitlines()
    return clean(text[0] if text else type(err).__name__)
