"""Lint the deployment shell scripts (the same check as `make lint`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((REPO / "deploy").glob("*.sh"))


def test_scripts_exist_and_are_executable() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"install.sh", "uninstall.sh", "lib.sh"} <= names
    for name in ("install.sh", "uninstall.sh"):
        assert (REPO / "deploy" / name).stat().st_mode & 0o111, name


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bash_syntax(script: Path) -> None:
    res = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr


@pytest.mark.skipif(
    shutil.which("shellcheck") is None,
    reason="shellcheck not installed (apt-get install shellcheck)",
)
def test_shellcheck_clean() -> None:
    res = subprocess.run(
        ["shellcheck", "-x", *map(str, SCRIPTS)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert res.returncode == 0, res.stdout + res.stderr
