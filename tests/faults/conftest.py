"""The daemon tests' fixtures (demo database, MockFactory, pty, daemon), for the fault tests."""

from tests.daemon.conftest import (  # noqa: F401
    daemon,
    kiosk_db,
    mock_factory,
    other_db,
    scanner_pty,
    seeded_path,
    short_tmp,
)
