"""``assettrack hw ...`` with the simulated backends, and its import discipline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from kiosk.cli.main import main
from kiosk.ops.screens import STORY


@pytest.fixture(autouse=True)
def no_config(monkeypatch, tmp_path):
    config = tmp_path / "assettrack.toml"
    config.write_text("")
    monkeypatch.setenv("ASSETTRACK_CONFIG", str(config))
    return config


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_leds_test_chases_configured_slots(capsys, no_config):
    no_config.write_text('[leds.slots]\n"CART-A:1" = 1\n"CART-A:2" = 2\n')
    code, out, _ = run(capsys, "--json", "hw", "leds", "test", "--sim", "--step", "0")
    assert code == 0
    assert json.loads(out) == {"backend": "sim", "slots": ["CART-A:1", "CART-A:2"]}


def test_buttons_test_reads_keys_in_sim(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("c\nxl\n"))
    code, out, _ = run(capsys, "hw", "buttons", "test", "--sim", "--seconds", "0.3")
    assert code == 0
    assert "confirm" in out and "long cancel" in out and out.rstrip().endswith("3 presses")


def test_scanner_monitor_prints_scans_escaped(capsys, monkeypatch):
    # The one hostile value a scanner lets through is printable ASCII that
    # spells an escape: printed raw, it would read exactly like a real ESC.
    typed_escape = "LT-\\x1b[2J"
    lines = f"LT-1\nLT-1\nBADGE:\u202eX\n{typed_escape}\nLT-2\n"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(lines))
    code, out, _ = run(
        capsys, "hw", "scanner", "monitor", "--sim", "--count", "3", "--seconds", "30"
    )
    assert code == 0
    assert "LT-1" in out and "LT-2" in out and "3 scans" in out
    assert "  LT-\\\\x1b[2J\n" in out  # the backslash shown escaped: typed, not a real ESC
    assert "\u202e" not in out  # rejected by the scanner itself
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(f"{typed_escape}\n"))
    code, out, _ = run(
        capsys, "--json", "hw", "scanner", "monitor", "--sim", "--count", "1", "--seconds", "30"
    )
    assert json.loads(out)["scans"] == ["LT-\\\\x1b[2J"]


def test_display_test_saves_every_screen(capsys, tmp_path):
    png = tmp_path / "screens.png"
    code, out, _ = run(capsys, "hw", "display", "test", "--sim", "--step", "0", "--png", str(png))
    # The kiosk's real screens, the README's story: nothing the kiosk never shows.
    story = [name for name, _ in STORY]
    assert code == 0 and f"showed {len(story)} screens (sim)" in out
    assert "08-conflict-slot-taken: Blocked / slot CART-A:2 holds / LT-0102 /" in out
    assert "Check in" not in out and "Unknown tag" not in out
    assert [line.split(":")[0] for line in out.splitlines() if line[:2].isdigit()] == story
    assert Image.open(png).size == (128, len(story) * 64 + len(story) - 1)


def test_bad_config_is_one_line_and_exit_2(capsys, no_config):
    no_config.write_text('[leds]\nbackend = "gpio"\n[leds.slots]\n"CART-A:3" = 99\n')
    code, _, err = run(capsys, "hw", "leds", "test")
    assert code == 2
    assert err == 'error: leds.slots."CART-A:3": GPIO 99 does not exist (BCM 0..27)\n'


def test_missing_device_word_is_a_usage_error(capsys):
    assert run(capsys, "hw")[0] == 2
    assert run(capsys, "hw", "leds")[0] == 2


def test_cli_does_not_import_hardware_libraries():
    code = (
        "import sys; from kiosk.cli.main import build_parser; build_parser(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'gpiozero', 'luma', 'serial', 'PIL', 'hw'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
