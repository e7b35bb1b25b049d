"""Destructive commands ask on a terminal, and need --yes anywhere else."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest

from tests.cli.conftest import ASSETTRACK


def _on_a_terminal(env, db_file, answer: bytes, *argv):
    master, slave = pty.openpty()
    try:
        os.write(master, answer)
        proc = subprocess.run(
            [str(ASSETTRACK), "--db", str(db_file), *argv],
            stdin=slave,
            capture_output=True,
            env={**os.environ, **env},
            timeout=60,
        )
    finally:
        os.close(slave)
        os.close(master)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.mark.parametrize(
    ("argv", "question"),
    [
        (["asset", "retire", "LT-0101"], "Retire LT-0101 for good? [y/N]"),
        (["person", "remove", "0044"], "Remove Chen Wei (0044)? [y/N]"),
        (["case", "init", "CART-B", "--slots", "4"], "Shrink CART-B from 6 to 4 slots? [y/N]"),
    ],
)
def test_asks_and_a_no_changes_nothing(seeded, env, db_file, argv, question):
    before = seeded("log", "verify", json=True).doc["events"]
    code, out, err = _on_a_terminal(env, db_file, b"n\n", *argv)
    assert code == 3 and question in out and "cancelled; nothing changed" in err
    assert seeded("log", "verify", json=True).doc["events"] == before
    code, out, err = _on_a_terminal(env, db_file, b"y\n", *argv)
    assert code == 0, err
    assert seeded("log", "verify", json=True).doc["events"] == before + 1


def test_restore_asks_too(seeded, env, db_file, tmp_path):
    backup = tmp_path / "b.db"
    assert seeded("backup", str(backup)).code == 0
    code, out, err = _on_a_terminal(env, db_file, b"\n", "restore", str(backup))
    assert code == 3 and "Replace" in out and "[y/N]" in out
    assert not db_file.with_name(db_file.name + ".before-restore").exists()
    code, out, err = _on_a_terminal(env, db_file, b"yes\n", "restore", str(backup))
    assert code == 0 and "restored" in out, err
