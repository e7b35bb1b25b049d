"""The flow tests run the state machine over a real, demo-seeded SQLite file."""

from tests.daemon.conftest import kiosk_db, other_db, seeded_path  # noqa: F401
