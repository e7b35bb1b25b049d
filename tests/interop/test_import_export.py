"""``asset import`` / ``asset export``: Snipe-IT's CSV in and out."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from kiosk.interop import snipeit
from tests.interop.helpers import asset_rows, events, reimport_changes_nothing, write

# What a Snipe-IT export looks like after a person had it open in a
# spreadsheet: BOM, CRLF, quoted commas, notes over several lines, people in
# the Full Name/Email/Username columns, an empty row, columns we do not keep.
SNIPEIT = (
    "\ufeffItem Name,Asset Tag,Model Name,Model Number,Category,Manufacturer,"
    "Serial Number,Status,Location,Notes,Full Name,Email,Username,Purchase Cost\r\n"
    '"Latitude 5420, spare",LT-1001,Latitude 5420,5420,Laptops,Dell,SN-1001,'
    'Ready to Deploy,CART-A:3,"Charger missing,\r\nsee ticket #42\r\n(""urgent"")",'
    ',,,"1,299.00"\r\n'
    "ThinkPad #7,LT-1002,ThinkPad T14,T14,Laptops,Lenovo,SN-1002,Ready to Deploy,"
    "HQ / Room 4,,Grace Hopper,grace@example.org,ghopper,999\r\n"
    ",,,,,,,,,,,,,\r\n"
    "MacBook #2,LT-1003,MacBook Air,A2681,Laptops,Apple,SN-1003,Pending,,,,,,\r\n"
    "Old Dell,LT-1004,Latitude 3390,3390,Laptops,Dell,SN-1004,Archived,,,,,,\r\n"
    "iPad,LT-1005,iPad 9,A2602,Tablets,Apple,SN-1005,Stolen,,,,,,\r\n"
    "ThinkPad #8,LT-1006,ThinkPad T14,T14,Laptops,Lenovo,SN-1006,Ready to Deploy,"
    "CART-B slot 3,,Grace Hopper,grace@example.org,ghopper,999\r\n"
    "Chromebook,LT-1007,Latitude 3140,3140,Laptops,Dell,SN-1007,Ready to Deploy,"
    "CART-A:1,,,,,250\r\n"
)


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "snipeit-assets.csv"
    path.write_bytes(SNIPEIT.encode("utf-8"))
    return path


def test_dry_run_reports_and_writes_nothing(seeded, db_file, sheet):
    before, rows = events(db_file), asset_rows(db_file)
    run = seeded("asset", "import", str(sheet), json=True)
    assert run.code == 0, run
    doc = run.doc
    assert doc["committed"] is False
    assert (doc["added"], doc["changed"], doc["unchanged"], doc["skipped"]) == (7, 0, 0, 0)
    assert doc["empty_rows"] == 1
    assert doc["ignored_columns"] == ["Model Number", "Category", "Manufacturer", "Purchase Cost"]
    assert doc["people_added"] == ["ghopper"]
    by_tag = {a["tag"]: a for a in doc["actions"]}
    assert by_tag["LT-1001"]["row"] == 2
    assert by_tag["LT-1003"]["row"] == 5  # rows as a spreadsheet numbers them
    assert "CART-A:3" in by_tag["LT-1001"]["detail"]
    assert "HQ / Room 4 ignored" in by_tag["LT-1002"]["detail"]
    assert "slot holds LT-0101" in by_tag["LT-1007"]["detail"]
    assert by_tag["LT-1003"]["detail"] == "REPAIR"
    assert events(db_file) == before and asset_rows(db_file) == rows
    human = seeded("asset", "import", str(sheet))
    assert "dry run, nothing written: 7 to add" in human.out
    assert "--commit" in human.out


def test_commit_imports_everything_through_the_operations(seeded, db_file, sheet):
    run = seeded("asset", "import", str(sheet), "--commit", json=True)
    assert run.code == 0 and run.doc["committed"] and run.doc["added"] == 7
    show = {
        t: seeded("asset", "show", t, json=True).doc
        for t in ("LT-1001", "LT-1002", "LT-1003", "LT-1004", "LT-1005", "LT-1006", "LT-1007")
    }
    assert show["LT-1001"]["slot"] == "CART-A:3" and show["LT-1001"]["name"] == (
        "Latitude 5420, spare"
    )
    assert show["LT-1001"]["notes"] == 'Charger missing,\r\nsee ticket #42\r\n("urgent")'
    assert show["LT-1001"]["serial"] == "SN-1001"
    assert show["LT-1002"]["status"] == "IN_CUSTODY"
    assert show["LT-1002"]["custodian"] == "ghopper"
    assert show["LT-1002"]["custodian_name"] == "Grace Hopper"
    assert show["LT-1003"]["status"] == "REPAIR"
    assert show["LT-1004"]["status"] == "RETIRED"
    assert show["LT-1005"]["status"] == "LOST"
    assert show["LT-1006"]["home"] == "CART-B:3" and show["LT-1006"]["slot"] is None
    assert show["LT-1007"]["slot"] is None and show["LT-1007"]["status"] == "IN_STOCK"
    log = seeded("log", "--limit", "100", json=True).doc
    imported = [e for e in log if e["asset"] and e["asset"].startswith("LT-10")]
    assert {e["actor"] for e in imported} == {"tester"}
    assert [e["op"] for e in imported if e["asset"] == "LT-1002"] == ["add", "stock_out"]
    assert seeded("log", "verify").code == 0
    assert seeded("doctor").code == 0


def test_reimport_changes_nothing(seeded, db_file, sheet):
    assert seeded("asset", "import", str(sheet), "--commit").code == 0
    reimport_changes_nothing(seeded, db_file, sheet, 7)


def test_known_assets_get_changed_fields_only(seeded, db_file, tmp_path):
    path = write(
        tmp_path,
        "Asset Tag,Item Name,Model Name,Status,Username\n"
        "LT-0101,ThinkPad T14 #1 (new keyboard),,Ready to Deploy,\n"
        "LT-0102,ThinkPad T14 #2,ThinkPad T14 Gen 4,Lost,\n"
        "LT-0104,MacBook Air #1,MacBook Air M2,,0043\n",
    )
    run = seeded("asset", "import", path, "--commit", json=True)
    assert run.code == 0, run
    acts = {a["tag"]: a for a in run.doc["actions"]}
    assert acts["LT-0101"]["action"] == "change"
    assert acts["LT-0102"]["action"] == "skip" and "file says LOST" in acts["LT-0102"]["detail"]
    assert acts["LT-0104"]["action"] == "skip"
    asset = seeded("asset", "show", "LT-0101", json=True).doc
    assert asset["name"] == "ThinkPad T14 #1 (new keyboard)"
    assert asset["model"] == "ThinkPad T14 Gen 4"  # an empty cell leaves it
    assert seeded("where", "LT-0102", json=True).doc["status"] == "IN_STOCK"
    assert seeded("log", "--limit", "1", json=True).doc[0]["op"] == "update"


def test_duplicate_tags_refuse_the_whole_file(seeded, db_file, sheet, tmp_path):
    text = sheet.read_text(encoding="utf-8-sig") + "Dup,LT-1003,X,,,,,,,,,,,\r\n"
    before, rows = events(db_file), asset_rows(db_file)
    run = seeded("asset", "import", write(tmp_path, text), "--commit", json=True)
    assert run.code == 2
    err = run.doc["error"]
    assert err["code"] == "invalid_import"
    assert "row 10, column Asset Tag: asset tag LT-1003 already appears in row 5" in err["message"]
    assert err["details"]["problems"] == [
        {
            "row": 10,
            "column": "Asset Tag",
            "message": "asset tag LT-1003 already appears in row 5",
        }
    ]
    assert events(db_file) == before and asset_rows(db_file) == rows


@pytest.mark.parametrize(
    ("text", "message", "strict"),
    [
        ("Item Name,Serial\nX,1\n", "row 1, column Asset Tag: the file has no Asset Tag column", 0),
        ("Asset Tag,Status\nA-1,Broken\n", 'row 2, column Status: unknown status "Broken"', 1),
        ("Asset Tag\nA-1\n\x1b[2JA-2\n", "row 3, column Asset Tag: asset tag holds control", 0),
        ("Asset Tag,Status,Username\nA-1,Lost,jdoe\n", "row 2, column Status", 1),
        (
            "Asset Tag,Item Name\nA-1," + "x" * 201 + "\n",
            "row 2, column Item Name: name is longer",
            0,
        ),
        ("", "the file is empty", 0),
        ("Asset Tag,ID\nA-1,17\nA-2,x\n", "row 3, column ID: Snipe-IT id must be a whole", 0),
        ("Asset Tag,ID\nA-1,17\nA-2,17\n", "row 3, column ID: Snipe-IT id 17 already appears", 0),
        ("Asset Tag,Item Name\nA-1,x\n,y\n", "row 3, column Asset Tag: asset tag is empty", 0),
    ],
)
def test_bad_rows_are_named_and_nothing_is_imported(
    seeded, db_file, tmp_path, text, message, strict
):
    rows = asset_rows(db_file)
    args = ["--strict"] * strict
    run = seeded("asset", "import", write(tmp_path, text), *args, "--commit", json=True)
    assert run.code == 2, run
    assert message in run.doc["error"]["message"]
    assert asset_rows(db_file) == rows
    assert seeded("asset", "import", write(tmp_path, text), *args, "--commit").code == 2


def test_a_later_row_failing_in_the_database_rolls_back_earlier_rows(seeded, db_file, tmp_path):
    """A row the database itself refuses (here a test trigger) undoes the rows before it."""
    path = write(tmp_path, "Asset Tag,Status\nNEW-1,\nNEW-2,Pending\n")
    with sqlite3.connect(db_file) as conn:
        conn.execute("DROP TRIGGER IF EXISTS no_repair_for_test")
        conn.execute(
            "CREATE TRIGGER no_repair_for_test BEFORE UPDATE OF status ON assets "
            "WHEN NEW.status = 'REPAIR' BEGIN SELECT RAISE(ABORT, 'repair bench closed'); END"
        )
    run = seeded("asset", "import", path, "--commit", json=True)
    assert run.code == 2 and "row 3" in run.doc["error"]["message"]
    assert seeded("where", "NEW-1", json=True).code == 4


def test_status_map_overrides_and_extends(seeded, tmp_path):
    path = write(tmp_path, "Asset Tag,Status\nA-1,Broken\nA-2,Ready to Deploy\n")
    run = seeded(
        "asset",
        "import",
        path,
        "--status-map",
        "Broken=repair",
        "--status-map",
        "Ready to Deploy=LOST",
        "--commit",
        json=True,
    )
    assert run.code == 0, run
    assert seeded("asset", "show", "A-1", json=True).doc["status"] == "REPAIR"
    assert seeded("asset", "show", "A-2", json=True).doc["status"] == "LOST"
    bad = seeded("asset", "import", path, "--status-map", "Broken", json=True)
    assert bad.code == 2
    bad = seeded("asset", "import", path, "--status-map", "Broken=FIXED", json=True)
    assert bad.code == 2


def test_file_problems(seeded, tmp_path):
    assert seeded("asset", "import", str(tmp_path / "missing.csv"), json=True).code == 4
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("Asset Tag,Item Name\nA-1,Caf\xe9\n".encode("latin-1"))
    run = seeded("asset", "import", str(latin1), json=True)
    assert run.code == 2 and "not UTF-8" in run.doc["error"]["message"]


def test_without_bom_and_lf_only(seeded, tmp_path):
    path = write(tmp_path, 'asset tag,ITEM NAME,notes\nA-1,"x, y","a\nb"\n')
    run = seeded("asset", "import", path, "--commit", json=True)
    assert run.code == 0 and run.doc["added"] == 1
    asset = seeded("asset", "show", "A-1", json=True).doc
    assert (asset["name"], asset["notes"]) == ("x, y", "a\nb")


def test_thousands_of_rows(at, tmp_path):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Asset Tag", "Item Name", "Serial Number", "Status", "Username"])
    for i in range(3000):
        holder = f"user{i % 50}" if i % 3 == 0 else ""
        status = ("Ready to Deploy", "Pending", "Archived", "Lost")[i % 4] if not holder else ""
        writer.writerow([f"T-{i:05d}", f"Laptop {i}", f"SN{i}", status, holder])
    path = write(tmp_path, out.getvalue())
    run = at("asset", "import", path, "--commit", json=True)
    assert run.code == 0 and run.doc["added"] == 3000
    assert len(run.doc["people_added"]) == 50
    assert at("log", "verify", json=True).doc["events"] > 3000


# -- export and round trip ------------------------------------------------------------------


def _fields(doc):
    keep = ("tag", "name", "model", "serial", "status", "slot", "custodian", "notes")
    return [{k: a[k] for k in keep} for a in doc]


def test_export_round_trips(seeded, tmp_path, sheet, env):
    seeded("asset", "import", str(sheet), "--commit")
    seeded("asset", "add", "LT-2000", "--name", "Evil \x1b[2J name", "--notes", 'a,"b"\nc')
    exported = tmp_path / "export.csv"
    run = seeded("asset", "export", str(exported), json=True)
    assert run.code == 0 and run.doc["assets"] == 14
    header = exported.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(snipeit.EXPORT_HEADERS)
    original = seeded("asset", "list", json=True).doc

    other = tmp_path / "other.db"
    for case, n in (("CART-A", "8"), ("CART-B", "6")):
        assert seeded("case", "init", case, "--slots", n, db=other).code == 0
    run = seeded("asset", "import", str(exported), "--commit", json=True, db=other)
    assert run.code == 0 and run.doc["added"] == 14
    copy = seeded("asset", "list", json=True, db=other).doc
    assert _fields(copy) == _fields(original)
    # and back into the source: nothing to do
    again = seeded("asset", "import", str(exported), "--commit", json=True)
    assert again.doc["unchanged"] == 14


def test_export_to_stdout_and_json_contract(seeded):
    run = seeded("asset", "export")
    assert run.code == 0
    rows = list(csv.reader(io.StringIO(run.out)))
    assert rows[0] == list(snipeit.EXPORT_HEADERS) and len(rows) == 7
    assert seeded("asset", "export", json=True).code == 2


def test_export_to_missing_directory(seeded, tmp_path):
    run = seeded("asset", "export", str(tmp_path / "no" / "such.csv"), json=True)
    assert run.code == 1 and run.doc["error"]["code"] == "io_error"


def test_location_rules(seeded, tmp_path):
    path = write(
        tmp_path,
        "Asset Tag,Status,Location,Username\n"
        "L-1,,CART-A slot 4,\n"  # empty slot: goes in
        "L-2,,CART-A:4,\n"  # taken by the row before
        "L-3,,CART-Z:1,\n"  # no such case
        "L-4,Pending,CART-A:6,\n"  # in repair: no slot
        "L-5,,CART-A:7,0042\n"  # checked out: home
        "L-6,,cart-a:99,\n",  # no such slot
    )
    run = seeded("asset", "import", path, "--commit", json=True)
    assert run.code == 0, run
    detail = {a["tag"]: a["detail"] for a in run.doc["actions"]}
    assert detail["L-1"] == "IN_STOCK into CART-A:4"
    assert "slot holds L-1" in detail["L-2"]
    assert "unknown case CART-Z" in detail["L-3"]
    assert "an asset in REPAIR takes no slot" in detail["L-4"]
    assert detail["L-5"] == "IN_CUSTODY, out with 0042"
    assert "unknown case cart-a" in detail["L-6"]
    shown = seeded("asset", "show", "L-5", json=True).doc
    assert (shown["home"], shown["slot"], shown["custodian_name"]) == ("CART-A:7", None, "Alice Ng")
