"""``[kiosk]`` and ``[kiosk.patterns]``: the site's rules reach the kiosk, mistakes are one line."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from kiosk.config.settings import KioskConfig, PatternsConfig, load_config, parse_config
from kiosk.daemon.wiring import build_interaction
from kiosk.flow.barcodes import Classifier
from kiosk.flow.db_port import DbPort
from kiosk.flow.intent import Rules
from kiosk.ops import demo
from kiosk.store.db import Database
from tests.config.test_settings import (
    test_each_mistake_is_one_line_naming_the_key as one_line_naming_the_key,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "assettrack.example.toml"


def test_defaults_match_the_demo_tags_and_todays_intake():
    kiosk = parse_config("").kiosk
    assert (kiosk.intake, kiosk.loan_days, kiosk.block_overdue) == ("confirm", 0, False)
    tag = kiosk.patterns.tag
    classifier = Classifier(**dataclasses.asdict(kiosk.patterns))
    assert classifier.classify("LT-0101").kind == "tag"
    for junk in ("lt-0101", "garbage!!", "LT0101", "LT-", "LT-01 01", "LТ-0101"):
        assert not re.fullmatch(tag, junk), junk


def test_the_example_documents_every_kiosk_key():
    example = load_config(str(EXAMPLE)).kiosk
    assert example == dataclasses.replace(KioskConfig(), idle_timeout=30.0, success_hold=3.0)
    text = EXAMPLE.read_text()
    for key in [f.name for f in dataclasses.fields(KioskConfig) if f.name != "patterns"]:
        assert f"\n{key} = " in text, key
    for key in [f.name for f in dataclasses.fields(PatternsConfig)]:
        assert f"\n{key} = " in text, key


@pytest.fixture
def demo_db(tmp_path):
    with Database(tmp_path / "demo.db") as db:
        demo.seed(db)
        yield db


def test_the_rules_reach_the_kiosk(demo_db):
    config = parse_config(
        """
[kiosk]
intake = "slot"
loan_days = 14
block_overdue = true
error_hold = 2
[kiosk.patterns]
tag = '^[0-9]{6}$'
confirm = "OK"
cancel = "NO"
"""
    )
    machine = build_interaction(config, DbPort(demo_db), now=0.0)
    assert machine.rules == Rules(intake="slot", loan_days=14, block_overdue=True)
    assert machine.error_hold == 2
    machine.scan("123456", 1.0)
    assert machine.state == "await_slot"
    assert machine.classifier.classify("ok").kind == "confirm"
    machine.scan("LT-0101", 2.0)
    assert machine.state == "error"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[kiosk]\nintake = "maybe"\n', 'kiosk.intake: must be one of "confirm", "slot", "off"'),
        ("[kiosk]\nloan_days = -1\n", "kiosk.loan_days: must be at least 0"),
        ("[kiosk]\nloan_days = 1.5\n", "kiosk.loan_days: must be a whole number"),
        ('[kiosk]\nblock_overdue = "yes"\n', "kiosk.block_overdue: must be true or false"),
        ("[kiosk]\nerror_hold = 0\n", "kiosk.error_hold: must be more than 0"),
        ('[kiosk.patterns]\ntag = "(("\n', "kiosk.patterns.tag: not a valid regular expression"),
        ('[kiosk.patterns]\ncancel = "cmd:confirm"\n', "kiosk.patterns.cancel: must differ"),
    ],
)
def test_each_kiosk_mistake_is_one_line_naming_the_key(text, message):
    one_line_naming_the_key(text, message)
