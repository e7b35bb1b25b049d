"""These tests drive the real CLI entry point: its fixtures are the CLI tests' own."""

from tests.cli.conftest import at, db_file, env, fake_daemon, seeded  # noqa: F401
from tests.daemon.conftest import scanner_pty, seeded_path, short_tmp  # noqa: F401, E402
