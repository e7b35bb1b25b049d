"""The daemon and fleet tests' fixtures (demo database, MockFactory, pty, PostgreSQL)."""

from tests.daemon.conftest import (  # noqa: F401
    kiosk_db,
    mock_factory,
    scanner_pty,
    seeded_path,
    short_tmp,
)
from tests.fleet.conftest import central, cli, env, make_kiosk, pg  # noqa: F401
