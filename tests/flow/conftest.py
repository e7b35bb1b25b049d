"""The flow tests run the state machine over a real, demo-seeded SQLite file.

The demo is seeded once per session and each test gets its own copy (the
database and its head file): the state machine's tests run many hundreds of
times under ``make mutate``, and seeding is most of a short test's time.
"""

from __future__ import annotations

import shutil

import pytest

from kiosk.ops import demo
from kiosk.store.db import Database
from tests.daemon.conftest import kiosk_db, other_db  # noqa: F401

NAME = "assettrack.db"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeded")
    with Database(folder / NAME) as db:
        demo.seed(db)
    return folder


@pytest.fixture
def seeded_path(tmp_path, seeded_template):
    for item in seeded_template.iterdir():
        shutil.copy2(item, tmp_path / item.name)
    return tmp_path / NAME
