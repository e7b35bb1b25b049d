"""Running ``assettrack`` the way people and scripts do, against a real file.

``at(...)`` calls the real entry point :func:`kiosk.cli.main.main` in this
process (fast); ``at_process(...)`` runs the installed ``assettrack``
script. Both check the ``--json`` contract on every call: stdout is one
JSON document, and a failure is ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.cli.main import main
from kiosk.store.db import Database

ACTOR = "tester"
ASSETTRACK = Path(sys.executable).with_name("assettrack")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def doc(self):
        return json.loads(self.out)


def check_contract(run: Run, as_json: bool) -> None:
    """The output contract every command keeps."""
    assert "\x1b" not in run.out and "\x1b" not in run.err, "raw ESC reached the terminal"
    if not as_json:
        if run.code not in (0, 1) and run.err:
            assert run.err.startswith("error: "), run.err
        return
    doc = json.loads(run.out)  # exactly one document, nothing around it
    if run.code == 0:
        assert not (isinstance(doc, dict) and "error" in doc), doc
    elif isinstance(doc, dict) and "error" in doc:
        assert set(doc["error"]) >= {"code", "message"}, doc
        assert isinstance(doc["error"]["code"], str) and doc["error"]["message"]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """No stray database, config or daemon socket from the machine running the tests."""
    config = tmp_path / "assettrack.toml"
    config.write_text("")
    values = {
        "ASSETTRACK_CONFIG": str(config),
        "ASSETTRACK_SOCKET": str(tmp_path / "control.sock"),
    }
    monkeypatch.delenv("ASSETTRACK_DB", raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def db_file(tmp_path):
    """An initialised, empty database, as ``assettrack init`` leaves it."""
    path = tmp_path / "assettrack.db"
    Database(path, create=True).close()
    return path


@pytest.fixture
def at(env, db_file, capsys):
    """``at("where", "LT-1", json=True)`` -> :class:`Run` (in this process)."""

    def run(*argv: str, json: bool = False, actor: str | None = ACTOR, db=None) -> Run:
        full = ["--db", str(db or db_file)]
        if actor is not None:
            full += ["--actor", actor]
        if json:
            full.append("--json")
        capsys.readouterr()
        try:
            code = main([*full, *argv])
        except SystemExit as exit_:  # --help
            code = exit_.code
        out, err = capsys.readouterr()
        result = Run(code, out, err)
        check_contract(result, json)
        return result

    return run


@pytest.fixture
def at_process(env, db_file):
    """The installed ``assettrack`` script in a child process (bytes in, text out)."""

    def run(*argv: str, json: bool = False, stdin: bytes | None = None) -> Run:
        full = [str(ASSETTRACK), "--db", str(db_file), "--actor", ACTOR]
        if json:
            full.append("--json")
        proc = subprocess.run(
            [*full, *argv],
            input=stdin,
            capture_output=True,
            env={**os.environ, **env},
            timeout=60,
        )
        assert b"\x1b" not in proc.stdout + proc.stderr, "raw ESC reached the terminal"
        result = Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())
        check_contract(result, json)
        return result

    return run


@pytest.fixture
def seeded(at):
    """The demo room: CART-A (8) and CART-B (6), six laptops, LT-0103 out with 0042."""
    assert at("demo", "seed").code == 0
    return at


@pytest.fixture
def fake_daemon(env):
    """A control socket that answers ``status`` like a running kiosk daemon."""
    import socket
    import threading

    path = env["ASSETTRACK_SOCKET"]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    server.settimeout(0.05)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                    conn.sendall(b'{"ok": true, "state": "idle"}\n')
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield Path(path)
    stop.set()
    thread.join(timeout=5)
    server.close()
