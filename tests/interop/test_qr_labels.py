"""Snipe-IT's QR labels at the kiosk: ``https://HOST/ht/TAG`` and ``https://HOST/hardware/ID``.

Through the real path: a pty as the scanner, ``assettrack run`` as a
process, and ``assettrack inject scan``; plus the classifier and the
``[kiosk.patterns]`` keys on their own.
"""

from __future__ import annotations

import pytest

from kiosk.config.settings import parse_config
from kiosk.errors import ConfigError, InvalidInput
from kiosk.flow.barcodes import SNIPEIT_ID, TAG, BadLabel, Classifier
from tests.daemon.test_end_to_end import cli, until_state
from tests.hw.helpers import wait_for


@pytest.mark.parametrize(
    ("code", "kind", "value"),
    [
        ("https://snipe.example.org/ht/LT-0101", TAG, "LT-0101"),
        ("http://10.0.0.5/ht/LT-0101/", TAG, "LT-0101"),
        ("https://example.org/snipeit/public/ht/A%20B%2F1", TAG, "A B/1"),
        ("https://snipe.example.org/hardware/17", SNIPEIT_ID, 17),
        ("https://example.org/it/hardware/0042/", SNIPEIT_ID, 42),
    ],
)
def test_the_classifier_reads_both_url_forms(code, kind, value):
    scan = Classifier().classify(code)
    assert (scan.kind, scan.value) == (kind, value)


@pytest.mark.parametrize(
    "code",
    [
        "https://snipe.example.org/hardware/17/edit",  # not a label
        "https://snipe.example.org/hardware/abc",
        "https://snipe.example.org/ht/",
    ],
)
def test_other_urls_are_not_taken_for_tags(code):
    with pytest.raises(InvalidInput, match="not a tag"):
        Classifier().classify(code)


def test_a_url_naming_a_bad_tag_is_refused():
    with pytest.raises(BadLabel, match="bad Snipe-IT label"):
        Classifier().classify("https://snipe.example.org/ht/%1B%5B2J")


def test_patterns_are_config_keys_with_the_defaults():
    patterns = parse_config("").kiosk.patterns
    classifier = Classifier(
        snipeit_tag_url=patterns.snipeit_tag_url, snipeit_id_url=patterns.snipeit_id_url
    )
    assert classifier.classify("https://h/hardware/9").value == 9
    custom = parse_config(
        "[kiosk.patterns]\nsnipeit_tag_url = '^ASSET:(?P<tag>.+)$'\nsnipeit_id_url = ''\n"  # off
    ).kiosk.patterns
    classifier = Classifier(
        snipeit_tag_url=custom.snipeit_tag_url, snipeit_id_url=custom.snipeit_id_url
    )
    assert classifier.classify("ASSET:LT-1").value == "LT-1"
    with pytest.raises(InvalidInput):  # that form is off
        classifier.classify("https://h/hardware/9")
    with pytest.raises(ConfigError, match=r"snipeit_id_url.*\(\?P<id>"):
        parse_config("[kiosk.patterns]\nsnipeit_id_url = '^X(?P<nr>\\d+)$'\n")
    with pytest.raises(ConfigError, match="snipeit_tag_url.*regular expression"):
        parse_config("[kiosk.patterns]\nsnipeit_tag_url = '(unclosed'\n")


def _shown(doc):
    return " ".join(doc["display"])


def test_qr_urls_through_the_scanner(kiosk, scanner_pty):
    scanner_pty.scan("https://snipe.example.org/hardware/17")
    doc = until_state(kiosk, "await_badge")
    assert doc["leds"]["CART-A:1"] == "blink"  # LT-0101's slot
    scanner_pty.scan("CMD:CANCEL")  # another tag mid-step would ask to switch first
    until_state(kiosk, "idle")
    scanner_pty.scan("https://snipe.example.org/ht/LT-0102")
    doc = wait_for(lambda: (d := cli(kiosk, "status"))["leds"]["CART-A:2"] == "blink" and d, 5)
    assert doc and doc["state"] == "await_badge" and doc["leds"]["CART-A:1"] == "off"
    scanner_pty.scan("https://snipe.example.org/hardware/99")
    doc = until_state(kiosk, "error")
    assert "99" in _shown(doc) and "unknown" in _shown(doc)
    assert "import" in _shown(doc)


def test_qr_urls_through_inject(kiosk):
    doc = cli(kiosk, "inject", "scan", "https://snipe.example.org/snipeit/hardware/17")
    assert doc["state"] == "await_badge" and doc["leds"]["CART-A:1"] == "blink"
    cli(kiosk, "inject", "press", "cancel")
    doc = cli(kiosk, "inject", "scan", "https://snipe.example.org/ht/LT-0103")
    assert doc["state"] == "preview" and doc["leds"]["CART-A:3"] == "blink"  # stock-in home
    doc = cli(kiosk, "inject", "scan", "https://snipe.example.org/hardware/18")
    assert doc["state"] == "error"
    assert "Snipe-IT id 18" in _shown(doc) or "18" in _shown(doc)
