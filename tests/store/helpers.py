"""Helpers shared by the storage tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess

import pytest


@contextlib.contextmanager
def unwritable(path, mode):
    """``path`` made unwritable: by its mode, or immutable for root, whom no mode stops."""
    if os.geteuid() != 0:
        before = path.stat().st_mode
        path.chmod(mode)
        try:
            yield
        finally:
            path.chmod(before)
        return
    if (
        not shutil.which("chattr")
        or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode
    ):
        pytest.skip("root cannot be refused a write here (no chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
