"""kiosk.flow.barcodes on its own: which kind each code is, and how a bad one is refused.

No database: the classifier is a pure function of the configured patterns
(``[kiosk.patterns]``) and the scanned text.
"""

from __future__ import annotations

import dataclasses
import doctest

import pytest

import kiosk.flow.barcodes
from kiosk.domain.types import SlotRef
from kiosk.errors import InvalidInput
from kiosk.flow.barcodes import (
    BADGE,
    CANCEL,
    CONFIRM,
    SLOT,
    SNIPEIT_ID,
    TAG,
    BadLabel,
    Classifier,
    Scan,
    literal_prefix,
)


def test_the_module_doctests_hold():
    failures, tried = doctest.testmod(kiosk.flow.barcodes)
    assert tried >= 2 and failures == 0


def test_the_kinds_are_the_names_the_codes_command_and_status_use():
    assert (TAG, SLOT, BADGE, CONFIRM, CANCEL, SNIPEIT_ID) == (
        "tag",
        "slot",
        "badge",
        "confirm",
        "cancel",
        "snipeit_id",
    )


@pytest.mark.parametrize(
    ("code", "kind", "value"),
    [
        ("LT-0101", TAG, "LT-0101"),
        ("MON-2024-07", TAG, "MON-2024-07"),
        ("  LT-0101\r\n", TAG, "LT-0101"),
        ("SLOT:CART-A:3", SLOT, SlotRef("CART-A", 3)),
        ("SLOT:CART-B:12", SLOT, SlotRef("CART-B", 12)),
        ("BADGE:0042", BADGE, "0042"),
        ("BADGE:  0042 ", BADGE, "0042"),
        ("CMD:CONFIRM", CONFIRM, None),
        ("cmd:confirm", CONFIRM, None),
        ("CMD:CANCEL", CANCEL, None),
        (" Cmd:Cancel ", CANCEL, None),
        ("https://snipe.example.org/ht/LT-0101", TAG, "LT-0101"),
        ("http://snipe.example.org/ht/LT-0101/", TAG, "LT-0101"),
        ("https://snipe.example.org/snipe/ht/LT%2D0101", TAG, "LT-0101"),
        ("https://snipe.example.org/ht/lt%200101", TAG, "lt 0101"),
        ("https://snipe.example.org/hardware/17", SNIPEIT_ID, 17),
        ("https://snipe.example.org/it/hardware/0042/", SNIPEIT_ID, 42),
    ],
)
def test_each_kind_of_code_is_told_apart_by_the_default_patterns(code, kind, value):
    scan = Classifier().classify(code)
    assert scan == Scan(kind, value, code.strip())


LONG_BADGE = "BADGE:" + "9" * 65
LONG_URL = "https://h.example/ht/" + "A" * 65


@pytest.mark.parametrize(
    ("code", "what", "message"),
    [
        (
            "SLOT:CART-A:0",
            "slot label",
            "bad slot label SLOT:CART-A:0: slot position must be 1 or more, got 0",
        ),
        (
            "SLOT:CART-A:1001",
            "slot label",
            "bad slot label SLOT:CART-A:1001: slot position must be at most 1000, got 1001",
        ),
        ("SLOT:CART-A:-1", "slot label", "bad slot label SLOT:CART-A:-1"),
        ("slot:CART-A:1", "slot label", "bad slot label slot:CART-A:1"),
        ("BADGE:   ", "badge", "bad badge BADGE:"),
        (
            LONG_BADGE,
            "badge",
            f"bad badge {LONG_BADGE}: badge is longer than 64 characters: {'9' * 20}...",
        ),
        ("badge:0042", "badge", "bad badge badge:0042"),
        ("CMD:CONFRIM", "command code", "bad command code CMD:CONFRIM"),
        ("cmd:", "command code", "bad command code cmd:"),
        (
            "https://h.example/ht/%0A",
            "Snipe-IT label",
            "bad Snipe-IT label https://h.example/ht/%0A: asset tag is empty",
        ),
        (
            LONG_URL,
            "Snipe-IT label",
            f"bad Snipe-IT label {LONG_URL}: asset tag is longer than 64 characters: {'A' * 20}...",
        ),
    ],
)
def test_a_code_shaped_like_a_label_that_does_not_parse_is_a_bad_label(code, what, message):
    with pytest.raises(BadLabel) as caught:
        Classifier().classify(code)
    assert caught.value.what == what
    assert caught.value.code == "bad_label"
    assert caught.value.message == message


def test_a_bad_label_message_shows_control_characters_escaped():
    with pytest.raises(BadLabel) as caught:
        Classifier().classify("SLOT:CART\x1b[2J:0")
    assert "\x1b" not in caught.value.message
    assert "CART\\x1b[2J" in caught.value.message


@pytest.mark.parametrize(
    "code",
    ["garbage!!", "lt-0101", "LT 0101", "LT-", "-0101", "LT-" + "9" * 70, "", "https://h/x/LT-1"],
)
def test_anything_else_is_not_a_tag_slot_or_badge(code):
    with pytest.raises(InvalidInput) as caught:
        Classifier().classify(code)
    assert not isinstance(caught.value, BadLabel)
    assert caught.value.message.startswith("not a tag, slot or badge")
    assert caught.value.code == "invalid_input"


def test_the_refusal_names_the_code_with_control_characters_escaped():
    with pytest.raises(InvalidInput, match=r"not a tag, slot or badge: LT-01\\x1b\[2J"):
        Classifier().classify("LT-01\x1b[2J")


def test_every_pattern_is_configurable():
    classifier = Classifier(
        tag=r"^[0-9]{6}$",
        slot=r"^S/(?P<case>[A-Z]+)/(?P<pos>\d+)$",
        badge=r"^B=(?P<badge>\d+)$",
        confirm="kiosk-go",
        cancel="KIOSK-STOP",
        snipeit_tag_url=r"^snipe:(?P<tag>.+)$",
        snipeit_id_url=r"^snipe#(?P<id>\d+)$",
    )
    assert classifier.classify("123456") == Scan(TAG, "123456", "123456")
    assert classifier.classify("S/CART/4") == Scan(SLOT, SlotRef("CART", 4), "S/CART/4")
    assert classifier.classify("B=42") == Scan(BADGE, "42", "B=42")
    assert classifier.classify("Kiosk-Go").kind == CONFIRM
    assert classifier.classify("kiosk-stop").kind == CANCEL
    assert classifier.classify("snipe:LT-9") == Scan(TAG, "LT-9", "snipe:LT-9")
    assert classifier.classify("snipe#7") == Scan(SNIPEIT_ID, 7, "snipe#7")
    for code in ("LT-0101", "SLOT:CART-A:1", "BADGE:0042", "CMD:CONFIRM"):
        with pytest.raises(InvalidInput, match="not a tag"):
            classifier.classify(code)
    # The configured starts are what a bad label is recognised by.
    for code, what in (
        ("s/cart/x", "slot label"),
        ("B=x", "badge"),
        ("KIOSK-HELP", "command code"),
    ):
        with pytest.raises(BadLabel) as caught:
            classifier.classify(code)
        assert caught.value.what == what


def test_the_command_codes_are_compared_without_surrounding_space_or_case():
    classifier = Classifier(confirm="  Go Now ", cancel=" stop ")
    assert classifier.classify("GO NOW").kind == CONFIRM
    assert classifier.classify("Stop").kind == CANCEL


@pytest.mark.parametrize(
    ("confirm", "cancel", "bad", "fine"),
    [
        # The shared start up to its last separator (":", "-" or "/") marks a command code.
        ("KIOSK-CONFIRM", "KIOSK-CANCEL", "KIOSK-HELP", "KIOSKHELP"),
        ("KIOSK/OK", "KIOSK/NO", "KIOSK/HELP", "KIOSK-HELP"),
        ("A:B:GO", "A:B:NO", "A:B:HELP", "A:X"),
        (":GO", ":NO", ":HELP", "GO"),
        # A mismatch ends the shared start, later equal characters do not extend it.
        ("K:AB:X", "K:CD:X", "K:ZZ", "KZ"),
        # One code the start of the other: the shorter one is all shared.
        ("OK:", "OK:CANCEL", "OK:HELP", "OKHELP"),
    ],
)
def test_a_code_starting_like_the_command_codes_is_a_bad_command_code(confirm, cancel, bad, fine):
    classifier = Classifier(tag=r"^[A-Z:/-]+$", confirm=confirm, cancel=cancel)
    with pytest.raises(BadLabel) as caught:
        classifier.classify(bad)
    assert caught.value.what == "command code"
    assert classifier.classify(fine) == Scan(TAG, fine, fine)


@pytest.mark.parametrize(
    ("confirm", "cancel"),
    [("GO", "STOP"), ("CONFIRM", "CANCEL"), ("GO", "GO-ON"), ("AB:", "CD:")],
)
def test_command_codes_sharing_no_separated_start_mark_no_other_code(confirm, cancel):
    classifier = Classifier(tag=r"^[A-Z:/-]+$", confirm=confirm, cancel=cancel)
    for code in ("GOO", "CON", "C", "AB:X"):
        assert classifier.classify(code).kind == TAG


def test_a_label_pattern_with_no_fixed_start_marks_no_code_bad():
    classifier = Classifier(
        slot=r"^(?P<case>[A-Z]+)@(?P<pos>\d+)$", badge=r"^(?P<badge>\d{4})$", tag=r"^[A-Z]+-\d+$"
    )
    assert classifier.classify("LT-0101") == Scan(TAG, "LT-0101", "LT-0101")
    assert classifier.classify("CART@3").kind == SLOT
    assert classifier.classify("0042") == Scan(BADGE, "0042", "0042")


def test_an_empty_snipeit_pattern_turns_that_label_off():
    no_tag_url = Classifier(snipeit_tag_url="")
    no_id_url = Classifier(snipeit_id_url="")
    with pytest.raises(InvalidInput, match="not a tag"):
        no_tag_url.classify("https://snipe.example.org/ht/LT-0101")
    assert no_tag_url.classify("https://snipe.example.org/hardware/3").kind == SNIPEIT_ID
    with pytest.raises(InvalidInput, match="not a tag"):
        no_id_url.classify("https://snipe.example.org/hardware/3")
    assert no_id_url.classify("https://snipe.example.org/ht/LT-0101").value == "LT-0101"


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"^SLOT:(?P<case>[^:]+):(?P<pos>\d+)$", "SLOT:"),
        (r"^BADGE:(?P<badge>.+)$", "BADGE:"),
        ("BADGE", "BADGE"),
        ("^^X", ""),
        (r"AB*C", "A"),
        (r"SLOT:X*:", "SLOT:"),
        (r"AB?C", "A"),
        (r"AB{2}C", "A"),
        (r"AB+C", "AB"),
        (r"AB(C)", "AB"),
        (r"AB\.C", "AB"),
        (r"*AB", ""),
        (r"(?P<x>A)", ""),
        (r"A$", "A"),
        (r"A[BC]", "A"),
    ],
)
def test_literal_prefix_is_the_fixed_text_every_match_starts_with(pattern, prefix):
    assert literal_prefix(pattern) == prefix


def test_a_scan_and_a_bad_label_record_what_was_read():
    scan = Classifier().classify("BADGE:0042")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.value = "0043"  # type: ignore[misc]
    assert {scan: "counted once"} == {Classifier().classify(" BADGE:0042 "): "counted once"}
