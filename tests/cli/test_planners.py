"""Planner lookup does not depend on which domain module a process imported first."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("first", ["kiosk.assets", "kiosk.slots", "kiosk.custody", "kiosk.plans"])
def test_every_planner_is_found_whatever_was_imported_first(first):
    code = (
        f"import {first}\n"
        "from kiosk import plans\n"
        "for op in ('add', 'update', 'assign', 'move', 'vacate', 'stock_out', 'stock_in',\n"
        "           'repair', 'retire', 'lost', 'found'):\n"
        "    plans._lookup(op)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
