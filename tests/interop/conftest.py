"""Fixtures: the CLI tests' own (the real entry point), and the kiosk as a process."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from tests.cli.conftest import at, db_file, env, fake_daemon, seeded  # noqa: F401
from tests.daemon.conftest import scanner_pty, seeded_path, short_tmp  # noqa: F401
from tests.daemon.test_end_to_end import cli, spawn
from tests.hw.helpers import wait_for


@pytest.fixture
def kiosk(seeded_path, scanner_pty, short_tmp):  # noqa: F811 - the imported fixtures
    """``assettrack run`` on the demo room, where Snipe-IT knows LT-0101 as id 17."""
    ids = short_tmp / "ids.csv"
    ids.write_text("ID,Asset Tag\n17,LT-0101\n", encoding="utf-8")
    imported = subprocess.run(
        [sys.executable, "-m", "kiosk", "--db", str(seeded_path)]
        + ["asset", "import", str(ids), "--commit"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported
    proc = spawn(seeded_path, short_tmp, "--scanner", scanner_pty.path)
    # Read the notify socket all along, as systemd does: a full socket buffer
    # would block the daemon's watchdog ping, and this test is not about that.
    stop = threading.Event()

    def drain():
        while not stop.wait(0.05):
            proc.systemd.receive()

    reader = threading.Thread(target=drain, daemon=True)
    try:
        assert wait_for(lambda: "READY=1" in proc.systemd.lines() or proc.poll() is not None, 10)
        reader.start()
        assert proc.poll() is None, proc.communicate()
        assert wait_for(lambda: cli(proc, "status")["scanner"]["connected"])
        yield proc
    finally:
        stop.set()
        if reader.is_alive():
            reader.join(5)
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
        proc.systemd.close()
