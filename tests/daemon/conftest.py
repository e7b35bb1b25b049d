"""Fixtures for the daemon tests: a real, demo-seeded SQLite file.

Demo layout (kiosk.demo): CART-A has 8 slots holding LT-0101 (1), LT-0102 (2),
LT-0104 (5); slot 3 is the home of LT-0103, out with Alice Ng (0042).
CART-B has 6 slots holding LT-0201 (1) and LT-0202 (2). Badges 0042-0044.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from kiosk.ops import demo
from kiosk.store.db import Database
from tests.daemon.helpers import make_daemon, wait_for
from tests.hw.conftest import mock_factory  # noqa: F401 - gpiozero MockFactory, reset after


@pytest.fixture
def seeded_path(tmp_path):
    path = tmp_path / "assettrack.db"
    with Database(path) as db:
        demo.seed(db)
    return path


@pytest.fixture
def kiosk_db(seeded_path):
    database = Database(seeded_path)
    yield database
    database.close()


@pytest.fixture
def other_db(seeded_path):
    """A second connection: the CLI changing things while the kiosk runs."""
    database = Database(seeded_path)
    yield database
    database.close()


@pytest.fixture
def scanner_pty():
    from tests.daemon.helpers import Pty

    p = Pty()
    yield p
    p.close()


@pytest.fixture
def short_tmp():
    """A directory with a short path (a Unix socket path is limited to 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="at-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def started(d):
    """Start ``d`` and wait for its scanner: from then on, one scan is one event."""
    d.start()
    assert wait_for(lambda: d.hw.scanner.connected), "the scanner never opened the pty"
    d.handle_pending()  # the scanner's "connected"
    return d


@pytest.fixture
def daemon(kiosk_db, mock_factory, scanner_pty):  # noqa: F811 - the imported fixture
    """The daemon in-process on MockFactory pins; the test drives its loop by hand."""
    d = started(make_daemon(kiosk_db, mock_factory, scanner_pty))
    yield d
    d.close()
