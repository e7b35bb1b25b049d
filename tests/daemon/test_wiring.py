"""build_hardware picks the backends from the config; the daemon never does."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from gpiozero import LED

from kiosk.config.settings import Config, LedsConfig, load_config, parse_config
from kiosk.daemon.terminal_view import TerminalWriter, led_rows, render_frame
from kiosk.daemon.wiring import build_hardware, build_leds
from kiosk.errors import KioskError

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "assettrack.example.toml"


def test_sim_gives_simulated_devices_with_one_led_per_slot():
    events = []
    hw = build_hardware(
        parse_config(""),
        sim=True,
        slots=["CART-A:1", "CART-A:2"],
        on_scan=events.append,
        on_confirm=lambda: events.append("confirm"),
    )
    try:
        assert (hw.leds.backend, hw.buttons.backend, hw.display.backend, hw.scanner.backend) == (
            "sim",
            "sim",
            "sim",
            "sim",
        )
        assert hw.leds.states() == {"CART-A:1": "off", "CART-A:2": "off"}
        hw.scanner.start()
        hw.scanner.feed("LT-0193")
        hw.buttons.press("confirm")
        assert events == ["LT-0193", "confirm"]
    finally:
        hw.close()


def test_sim_overrides_a_real_config_but_a_scanner_port_stays_real():
    hw = build_hardware(load_config(str(EXAMPLE)), sim=True, scanner_port="loop://")
    try:
        assert hw.leds.backend == "sim" and hw.scanner.backend == "serial"
        assert hw.scanner.port == "loop://"
        assert "CART-A:12" in hw.leds.states()  # the configured slot map still names the slots
    finally:
        hw.close()


def test_example_config_builds_the_real_backends_on_mock_pins(mock_factory):
    hw = build_hardware(load_config(str(EXAMPLE)), pin_factory=mock_factory)
    try:
        assert (hw.leds.backend, hw.buttons.backend, hw.display.backend, hw.scanner.backend) == (
            "shift-register",
            "gpio",
            "ssd1306",
            "serial",
        )
        hw.leds.status("ready", "on")
        assert mock_factory.pin(5).state
    finally:
        hw.close()


def test_a_device_that_fails_releases_the_ones_already_built(mock_factory):
    config = parse_config(
        '[leds]\nbackend = "gpio"\n[leds.slots]\n"A:1" = 12\n[buttons]\nbackend = "gpio"\n'
    )
    blocker = LED(17)  # the Confirm pin is taken by someone else
    with pytest.raises(KioskError, match="cannot set up the buttons"):
        build_hardware(config, pin_factory=mock_factory)
    blocker.close()
    LED(12).close()  # the slot LED's pin was given back


def test_terminal_frame_shows_leds_blinking_and_the_oled():
    states = {"CART-A:2": "on", "CART-A:1": "off", "CART-A:3": "blink", "SHELF\x1b:1": "on"}
    status = {"ready": "on", "conflict": "off"}
    first = render_frame(states, status, "AB\nC", now=0.0, half_period=0.25, footer="keys")
    second = render_frame(states, status, "AB\nC", now=0.3, half_period=0.25, footer="keys")
    assert first.splitlines() == [
        "+--+",
        "|AB|",
        "|C |",
        "+--+",
        "CART-A       1 .##",
        "SHELF\\x1b    1 #",
        "ready #  conflict .",
        "keys",
    ]
    assert "CART-A       1 .#o" in second
    assert led_rows({f"C:{i}": "off" for i in range(1, 8)}) == ["C            1 ..... .."]


def test_terminal_writer_redraws_only_on_change():
    out = io.StringIO()
    writer = TerminalWriter(out)
    assert writer.write("a\n") and not writer.write("a\n") and writer.write("b\n")
    assert out.getvalue() == "\x1b[H\x1b[2Ja\n\x1b[H\x1b[2Jb\n"


def test_shift_register_without_its_pins_is_refused_before_any_pin_is_claimed():
    """parse_config never lets this through; a Config built in code must not either."""
    config = Config(leds=LedsConfig(backend="shift-register", slots={"A:1": 0}))
    with pytest.raises(KioskError, match="data, clock and latch"):
        build_leds(config)
