"""Malformed CSV files never crash the importer and never import partially.

Start from a realistic Snipe-IT export and break it at random — bytes
flipped, inserted or cut, cells replaced with junk, invalid UTF-8, quotes
left open, the file truncated — then import with ``--commit``. Whatever the
file, the command ends with a contract exit code and one JSON document;
when it refuses, not one row of the database changed; when it accepts, the
database is sound and the event chain verifies.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.cli.main import main
from kiosk.ops import demo
from kiosk.store.db import Database
from tests.conftest import snapshot
from tests.counts import scaled, time_limit
from tests.domain.helpers import sound
from tests.interop.test_import_export import SNIPEIT

EXAMPLES = scaled(150, 2000)
BASE = SNIPEIT.encode("utf-8")
JUNK = st.binary(max_size=40) | st.sampled_from(
    [
        b'"',
        b'""',
        b"\r",
        b"\n",
        b",",
        b"\x00",
        b"\xff\xfe",
        b"\x1b[2J",
        b"\xef\xbb\xbf",
        b"LT-1001",
        b"Ready to Deploy",
        b"CART-A:1",
        b"x" * 5000,
    ]
)


@st.composite
def broken(draw) -> bytes:
    data = bytearray(BASE)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "insert":
            data[at:at] = draw(JUNK)
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 30))]
        elif kind == "replace":
            data[at : at + draw(st.integers(1, 10))] = draw(JUNK)
        else:
            del data[at:]
    return bytes(data)


def _import(db_path: Path, csv_path: Path) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            [
                "--db",
                str(db_path),
                "--json",
                "--actor",
                "fuzz",
                "asset",
                "import",
                str(csv_path),
                "--commit",
            ]
        )
    return code, out.getvalue()


@pytest.mark.timeout(time_limit(EXAMPLES, 1.0))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(broken())
def test_broken_files_import_whole_or_not_at_all(data):
    with tempfile.TemporaryDirectory() as tmp:
        db_path, csv_path = Path(tmp) / "a.db", Path(tmp) / "in.csv"
        with Database(db_path) as db:
            demo.seed(db)
            before = snapshot(db)
        csv_path.write_bytes(data)
        code, out = _import(db_path, csv_path)
        doc = json.loads(out)  # exactly one JSON document, whatever happened
        assert code in (0, 1, 2, 3, 4)
        event(f"exit {code}")
        with Database(db_path) as db:
            if code != 0:
                assert "error" in doc
                assert snapshot(db) == before
            else:
                assert doc["committed"] is True
            sound(db)


def test_the_unbroken_file_imports():
    with tempfile.TemporaryDirectory() as tmp:
        db_path, csv_path = Path(tmp) / "a.db", Path(tmp) / "in.csv"
        with Database(db_path) as db:
            demo.seed(db)
        csv_path.write_bytes(BASE)
        code, out = _import(db_path, csv_path)
        assert code == 0 and json.loads(out)["added"] > 0
