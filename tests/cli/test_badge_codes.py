"""A badge typed as its card's code (``BADGE:0044``) is the badge the kiosk reads (``0044``)."""

from __future__ import annotations

from pathlib import Path


def test_person_add_stores_the_id_the_kiosk_scans(seeded):
    run = seeded("person", "add", "BADGE:0060", "Dana Ruiz", json=True)
    assert run.code == 0 and run.doc["badge"] == "0060"
    badges = {p["badge"] for p in seeded("person", "list", json=True).doc}
    assert "0060" in badges and "BADGE:0060" not in badges


def test_stock_out_and_remove_take_the_code(seeded):
    run = seeded("stock-out", "LT-0102", "--to", "BADGE:0044", json=True)
    assert run.code == 0, run.out
    assert run.doc["custodian"] == "0044"
    assert seeded("stock-in", "LT-0102").code == 0
    assert seeded("person", "remove", "BADGE:0044", "--yes", json=True).doc["badge"] == "0044"


def test_the_configured_badge_pattern_is_the_one_reduced(seeded, env):
    Path(env["ASSETTRACK_CONFIG"]).write_text(
        '[kiosk.patterns]\nbadge = "^ID-(?P<badge>\\\\d+)$"\n'
    )
    assert seeded("person", "add", "ID-0061", "Eve", json=True).doc["badge"] == "0061"
    # Under this pattern BADGE:0062 is no badge code: it is kept as typed.
    assert seeded("person", "add", "BADGE:0062", "Finn", json=True).doc["badge"] == "BADGE:0062"
