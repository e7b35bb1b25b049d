"""Snipe-IT's own sample import file imports as Snipe-IT means it.

Snipe-IT's importer checks a row with a user out to that user whatever its
status label says, and its labels are names each site makes up. The file
here is the one Snipe-IT ships (see ``data/README.md``).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from tests.interop.helpers import asset_rows, events, reimport_changes_nothing, write

SAMPLE = Path(__file__).parent / "data" / "MOCK_ASSETS.csv"


def _rows():
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_sample_dry_run_reports_every_row(at, db_file):
    rows = _rows()
    users = [r for r in rows if r["Username"]]
    before = events(db_file)
    run = at("asset", "import", str(SAMPLE), json=True)
    assert run.code == 0, run
    doc = run.doc
    assert (doc["committed"], doc["added"], doc["rows"]) == (False, len(rows), len(rows))
    assert doc["checked_out"]["rows"] == len(users) == 172
    assert doc["checked_out"]["labels"] == dict(Counter(r["Status"] for r in users))
    assert doc["checked_out"]["labels"]["Pending Diagnostics"] == 36
    assert len(doc["people_added"]) == len({r["Username"] for r in users})
    assert events(db_file) == before
    human = at("asset", "import", str(SAMPLE))
    assert "checked out to a person: 172 rows" in human.out
    assert "Undeployable 32" in human.out


def test_the_sample_commits_as_snipeit_means_it(at, db_file):
    run = at("asset", "import", str(SAMPLE), "--commit", json=True)
    assert run.code == 0, run
    bonnie = at("asset", "show", "970882174-8", json=True).doc  # row 2: Undeployable
    assert (bonnie["status"], bonnie["custodian"], bonnie["custodian_name"]) == (
        "IN_CUSTODY",
        "bnelson0",
        "Bonnie Nelson",
    )
    assert bonnie["serial"] == "27aa8378-b0f4-4289-84a4-405da95c6147"
    assert bonnie["name"] == "eget nunc donec quis"
    nobody = at("asset", "show", "742114860-4", json=True).doc  # no user, no label
    assert (nobody["status"], nobody["custodian"]) == ("IN_STOCK", None)
    # The label Snipe-IT gave it is kept in the import's event.
    log = at("log", "--asset", "970882174-8", json=True).doc
    assert [e["op"] for e in log] == ["add", "stock_out"]
    assert log[0]["details"]["snipeit_status"] == "Undeployable"
    assert log[1]["person"] == "bnelson0"
    counts = Counter(a["status"] for a in at("asset", "list", json=True).doc)
    assert counts["IN_CUSTODY"] == 172 and counts["IN_STOCK"] >= 28
    assert at("log", "verify").code == 0
    # Snipe-IT's file has no cases: doctor passes and says the room's slots are to do.
    doctor = at("doctor", json=True)
    assert doctor.code == 0, doctor
    assert [c["check"] for c in doctor.doc if c["status"] == "todo"] == ["cases"]


def test_the_sample_reimports_as_a_no_op_and_round_trips(at, db_file, tmp_path):
    assert at("asset", "import", str(SAMPLE), "--commit").code == 0
    reimport_changes_nothing(at, db_file, SAMPLE, 200)

    exported = tmp_path / "export.csv"
    assert at("asset", "export", str(exported)).code == 0
    other = tmp_path / "other.db"
    assert at("init", db=other).code == 0
    assert at("asset", "import", str(exported), "--commit", db=other).code == 0
    keep = ("tag", "name", "model", "serial", "status", "custodian", "custodian_name", "notes")

    def fields(db):
        return [{k: a[k] for k in keep} for a in at("asset", "list", json=True, db=db).doc]

    assert fields(other) == fields(None)


def test_strict_keeps_the_old_refusal(at, db_file):
    rows = asset_rows(db_file)
    run = at("asset", "import", str(SAMPLE), "--strict", "--commit", json=True)
    assert run.code == 2
    message = run.doc["error"]["message"]
    assert message.startswith(
        'nothing imported: row 2, column Status: "Undeployable" (REPAIR) '
        "but checked out to bnelson0"
    )
    messages = [p["message"] for p in run.doc["error"]["details"]["problems"]]
    assert 'unknown status "Pending Diagnostics"; map it with --status-map' in messages
    assert asset_rows(db_file) == rows


LABELS = (
    "Asset Tag,Status,Username,Full Name\n"
    "A-01,Pending Diagnostics,,\n"
    "A-02,Out for Repair,,\n"
    "A-03,Broken - Not Fixable,,\n"
    "A-04,Lost/Stolen,,\n"
    "A-05,Stolen (police report),,\n"
    "A-06,Retired 2019,,\n"
    "A-07,Ready,,\n"
    "A-08,Deployed,,\n"
    "A-09,Loaner pool,,\n"
    "A-10,Loaner pool,,\n"
    "A-11,Awaiting imaging,,\n"
    "A-12,Undeployable,jdoe,Jane Doe\n"
    "A-13,Archived,jdoe,Jane Doe\n"
    "A-14,Lost,rroe,Richard Roe\n"
    "A-15,Loaner pool,rroe,Richard Roe\n"
)


def test_unknown_labels_map_by_their_words_and_are_listed(at, tmp_path):
    run = at("asset", "import", write(tmp_path, LABELS), "--commit", json=True)
    assert run.code == 0, run
    status = {a["tag"]: a["status"] for a in at("asset", "list", json=True).doc}
    assert [status[f"A-{i:02d}"] for i in range(1, 12)] == [
        "REPAIR",
        "REPAIR",
        "REPAIR",
        "LOST",
        "LOST",
        "RETIRED",
        "IN_STOCK",
        "IN_STOCK",
        "IN_STOCK",
        "IN_STOCK",
        "IN_STOCK",
    ]
    # A row with a user is checked out to them, whatever the label.
    assert {status[t] for t in ("A-12", "A-13", "A-14", "A-15")} == {"IN_CUSTODY"}
    doc = run.doc
    assert doc["checked_out"] == {
        "rows": 4,
        "labels": {"Undeployable": 1, "Archived": 1, "Lost": 1, "Loaner pool": 1},
    }
    guessed = {g["label"]: (g["status"], g["rows"]) for g in doc["guessed"]}
    assert guessed == {
        "Pending Diagnostics": ("REPAIR", 1),
        "Broken - Not Fixable": ("REPAIR", 1),
        "Stolen (police report)": ("LOST", 1),
        "Retired 2019": ("RETIRED", 1),
        "Ready": ("IN_STOCK", 1),
    }
    assert doc["unknown"] == [
        {"label": "Loaner pool", "rows": 2},
        {"label": "Awaiting imaging", "rows": 1},
    ]
    human = at("asset", "import", write(tmp_path, LABELS, "again.csv"))
    assert "imported as IN_STOCK" in human.out and "Loaner pool 2" in human.out
    assert 'status "Pending Diagnostics" read as REPAIR: 1 rows' in human.out


def test_status_map_overrides_words_and_defaults(at, tmp_path):
    path = write(tmp_path, LABELS)
    run = at(
        "asset",
        "import",
        path,
        "--status-map",
        "loaner pool=LOST",
        "--status-map",
        "Pending Diagnostics=IN_STOCK",
        "--commit",
        json=True,
    )
    assert run.code == 0, run
    status = {a["tag"]: a["status"] for a in at("asset", "list", json=True).doc}
    assert (status["A-09"], status["A-01"], status["A-15"]) == ("LOST", "IN_STOCK", "IN_CUSTODY")
    assert run.doc["unknown"] == [{"label": "Awaiting imaging", "rows": 1}]


def test_strict_refuses_unknown_labels_and_checked_out_repairs(at, tmp_path, db_file):
    rows = asset_rows(db_file)
    run = at("asset", "import", write(tmp_path, LABELS), "--strict", json=True)
    assert run.code == 2
    problems = run.doc["error"]["details"]["problems"]
    assert {p["row"] for p in problems} == {2, 4, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16}
    assert asset_rows(db_file) == rows


def test_people_from_first_and_last_name_and_a_badge_column(at, tmp_path):
    text = (
        "Asset Tag,First Name,Last Name,Email,Employee Number,Status\n"
        "B-1,Ada,Lovelace,ada@example.org,E-100,Undeployable\n"
        "B-2,Alan,Turing,alan@example.org,,\n"
    )
    run = at(
        "asset", "import", write(tmp_path, text), "--badge-column", "employee number", "--commit"
    )
    assert run.code == 0, run
    ada = at("asset", "show", "B-1", json=True).doc
    assert (ada["custodian"], ada["custodian_name"]) == ("E-100", "Ada Lovelace")
    alan = at("asset", "show", "B-2", json=True).doc  # no badge cell: the email, as before
    assert (alan["custodian"], alan["custodian_name"]) == ("alan@example.org", "Alan Turing")
    missing = at("asset", "import", write(tmp_path, text), "--badge-column", "Badge", json=True)
    assert missing.code == 2 and "row 1, column Badge" in missing.doc["error"]["message"]


def test_the_id_column_is_kept(at, tmp_path, seeded):
    text = "ID,Asset Tag,Item Name\n17,C-1,First\n18,C-2,Second\n44,LT-0101,\n"
    run = seeded("asset", "import", write(tmp_path, text), "--commit", json=True)
    assert run.code == 0, run
    acts = {a["tag"]: a for a in run.doc["actions"]}
    assert acts["LT-0101"]["action"] == "change" and "snipeit_id" in acts["LT-0101"]["detail"]
    assert seeded("asset", "show", "C-1", json=True).doc["snipeit_id"] == 17
    assert seeded("asset", "show", "LT-0101", json=True).doc["snipeit_id"] == 44
    again = seeded("asset", "import", write(tmp_path, text), "--commit", json=True)
    assert again.doc["unchanged"] == 3
    exported = tmp_path / "out.csv"
    seeded("asset", "export", str(exported))
    with open(exported, newline="", encoding="utf-8") as f:
        ids = {r["Asset Tag"]: r["ID"] for r in csv.DictReader(f)}
    assert (ids["C-2"], ids["LT-0101"], ids["LT-0102"]) == ("18", "44", "")
    # Another asset with a known id is refused, naming who has it; nothing changes.
    clash = seeded("asset", "import", write(tmp_path, "ID,Asset Tag\n17,C-9\n"), json=True)
    assert clash.code == 2
    assert "Snipe-IT id 17 already belongs to C-1" in clash.doc["error"]["message"]
