"""A real PostgreSQL server for the fleet tests, and kiosks (SQLite files) that sync to it.

One server per test session: every fleet test runs on the same xdist
worker (group "postgres"), and each test gets a database of its own on it.
The schema is created the way an administrator does it: ``fleet init`` as
a non-superuser owner, then the grants it prints, run as the superuser.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from kiosk.cli.main import main
from kiosk.store.db import Database
from tests.cli.conftest import Run
from tests.fleet.pgserver import Server

OWNER = "fleet_owner"
_numbers = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group("postgres"))


@pytest.fixture(scope="session")
def pg():
    server = Server()
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {OWNER} LOGIN CREATEROLE")
    yield server
    server.close()


@pytest.fixture
def env(tmp_path, monkeypatch):
    config = tmp_path / "assettrack.toml"
    config.write_text("")
    monkeypatch.setenv("ASSETTRACK_CONFIG", str(config))
    monkeypatch.setenv("ASSETTRACK_SOCKET", str(tmp_path / "control.sock"))
    monkeypatch.delenv("ASSETTRACK_DB", raising=False)
    return {**os.environ}


@pytest.fixture
def cli(env, capsys):
    """``cli("fleet", "status", json=True)`` -> :class:`Run`, in this process."""

    def run(*argv: str, json: bool = False) -> Run:
        capsys.readouterr()
        code = main([*(["--json"] if json else []), "--actor", "tester", *argv])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def cli_process(*argv: str, env: dict[str, str], timeout: float = 120) -> Run:
    """The CLI in a child process (``python -m kiosk``), as systemd or cron runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        capture_output=True, text=True, env=env, timeout=timeout,
    )  # fmt: skip
    return Run(proc.returncode, proc.stdout, proc.stderr)


class Central:
    """One central database on the test server."""

    def __init__(self, server: Server, cli) -> None:
        self.server = server
        self.name = f"fleet_{os.getpid()}_{next(_numbers)}"
        self._cli = cli
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {self.name} OWNER {OWNER}")
        self.dsn = server.dsn(self.name, OWNER)

    def superuser(self):
        return psycopg.connect(self.server.dsn(self.name), autocommit=True)

    def kiosk_dsn(self, role: str) -> str:
        return self.server.dsn(self.name, role)

    def register(self, *kiosks: str) -> Run:
        """``fleet init --kiosk ...`` as the owner, then the printed grants as superuser."""
        args = [a for k in kiosks for a in ("--kiosk", k)]
        run = self._cli("fleet", "init", "--dsn", self.dsn, *args, json=True)
        assert run.code == 0, run
        with self.superuser() as conn:
            conn.execute(run.doc["grants"].encode())
        return run

    def query(self, sql: str, *args):
        with self.superuser() as conn:
            return conn.execute(sql, args).fetchall()

    def drop(self) -> None:
        with psycopg.connect(self.server.dsn(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


@pytest.fixture
def central(pg, cli):
    pg.ensure_running()
    db = Central(pg, cli)
    yield db
    pg.ensure_running()
    db.drop()


@dataclass
class Kiosk:
    """A kiosk: its own SQLite file and its id in the fleet."""

    name: str
    path: Path
    dsn: str

    def database(self) -> Database:
        return Database(self.path)

    def sync_args(self, *extra: str) -> list[str]:
        return ["--db", str(self.path), "sync", "--dsn", self.dsn, "--kiosk", self.name, *extra]


@pytest.fixture
def make_kiosk(tmp_path, central):
    def make(name: str, *, register: bool = True) -> Kiosk:
        if register:
            central.register(name)
        path = tmp_path / f"{name}.db"
        Database(path, create=True).close()
        role = "kiosk_" + name.lower().replace("-", "_")
        return Kiosk(name, path, central.kiosk_dsn(role))

    return make
