"""The daemon tests' fixtures (demo database, MockFactory, pty), for the benchmarks."""

from tests.daemon.conftest import kiosk_db, mock_factory, scanner_pty, seeded_path  # noqa: F401
