"""The daemon tests' fixtures (demo database, MockFactory, pty), for the benchmarks."""

from tests.daemon.conftest import (  # noqa: F401
    kiosk_db,
    mock_factory,
    scanner_pty,
    seeded_path,
    short_tmp,
)
