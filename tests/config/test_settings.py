"""The config loader: defaults, the shipped example, and one line per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.locate import SYSTEM_PATH
from kiosk.config.settings import Config, load_config, parse_config
from kiosk.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "assettrack.example.toml"

GPIO_LEDS = '[leds]\nbackend = "gpio"\n[leds.slots]\n"CART-A:1" = 12\n'


def test_example_config_uses_the_reference_wiring():
    config = load_config(str(EXAMPLE))
    assert config.source == EXAMPLE
    assert (config.buttons.confirm, config.buttons.cancel, config.buttons.pull_up) == (17, 27, True)
    assert (config.leds.ready, config.leds.conflict) == (5, 6)
    sr = config.leds.shift_register
    assert (sr.data, sr.clock, sr.latch) == (23, 24, 25)
    assert (config.display.backend, config.display.i2c_port, config.display.address) == (
        "ssd1306",
        1,
        0x3C,
    )
    assert (config.scanner.port, config.scanner.baudrate) == ("/dev/assettrack-scanner", 9600)


def test_no_file_means_defaults_and_simulated_hardware(monkeypatch):
    monkeypatch.delenv("ASSETTRACK_CONFIG", raising=False)
    if SYSTEM_PATH.exists():
        pytest.skip("a system config is installed here")
    config = load_config(None)
    assert config == Config()
    assert {
        config.scanner.backend,
        config.leds.backend,
        config.buttons.backend,
        config.display.backend,
    } == {"sim"}
    assert config.database.path is None and config.database.busy_timeout == 5.0
    assert config.kiosk.patterns.slot_re.match("SLOT:CART-A:3")


def test_environment_variable_names_the_file(monkeypatch, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[database]\npath = "/srv/a.db"\nbusy_timeout = 2\n')
    monkeypatch.setenv("ASSETTRACK_CONFIG", str(path))
    config = load_config(None)
    assert config.source == path
    assert config.database.path == Path("/srv/a.db") and config.database.busy_timeout == 2.0


@pytest.mark.parametrize("written", ['"05e0"', '"0x05E0"', "0x05E0", '" 05E0 "'])
def test_usb_ids_are_read_the_way_the_installer_reads_them(written):
    config = parse_config(f"[scanner]\nusb_vendor = {written}\nusb_product = 0x1200\n")
    assert (config.scanner.usb_vendor, config.scanner.usb_product) == ("05e0", "1200")


def test_gpio_slot_map_is_read():
    config = parse_config(GPIO_LEDS + '"CART-A:2" = 16\n')
    assert config.leds.slots == {"CART-A:1": 12, "CART-A:2": 16}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GPIO_LEDS + '"CART-A:3" = 99\n', 'leds.slots."CART-A:3": GPIO 99 does not exist'),
        (
            GPIO_LEDS + '"CART-A:2" = 12\n',
            'leds.slots."CART-A:2": GPIO 12 is already used by leds.slots."CART-A:1"',
        ),
        (GPIO_LEDS + '"CART-A" = 13\n', "leds.slots.CART-A: not a slot CASE:POS"),
        (GPIO_LEDS + '"CART-A:2" = "x"\n', 'leds.slots."CART-A:2": must be a GPIO number'),
        (
            GPIO_LEDS + '[buttons]\nbackend = "gpio"\nconfirm = 12\n',
            'leds.slots."CART-A:1": GPIO 12 is already used by buttons.confirm',
        ),
        (
            "[buttons]\nconfirm = 5\ncancel = 5\n",
            "buttons.cancel: GPIO 5 is already used by buttons.confirm",
        ),
        ('[leds]\nbackend = "gpio"\n', 'leds.slots: required when leds.backend = "gpio"'),
        (
            '[leds]\nbackend = "shift-register"\n[leds.slots]\n"A:1" = 0\n',
            'leds.shift_register.data: required when leds.backend = "shift-register"',
        ),
        (
            '[leds]\nbackend = "shift-register"\n[leds.shift_register]\ndata = 23\nclock = 24\n'
            'latch = 25\nchips = 2\n[leds.slots]\n"A:1" = 16\n',
            'leds.slots."A:1": output 16 does not exist (2 chips have outputs 0..15)',
        ),
        (
            '[leds]\nbackend = "shift-register"\n[leds.shift_register]\ndata = 23\nclock = 23\n'
            'latch = 25\n[leds.slots]\n"A:1" = 0\n',
            "leds.shift_register.clock: GPIO 23 is already used by leds.shift_register.data",
        ),
        ('[leds]\nbackend = "disco"\n', 'leds.backend: must be one of "gpio", "shift-register",'),
        ("[leds.status]\nready = 28\n", "leds.status.ready: GPIO 28 does not exist"),
        (
            '[display]\nbackend = "ssd1306"\n[buttons]\nbackend = "gpio"\nconfirm = 2\n',
            "buttons.confirm: GPIO 2 is already used by display (I2C1 SDA)",
        ),
        ("[display]\nrotation = 45\n", "display.rotation: must be 0, 90, 180 or 270, got 45"),
        ("[display]\nheight = 60\n", "display.height: must be a multiple of 8"),
        ('[scanner]\nbackend = "serial"\n', 'scanner.port: required when backend = "serial"'),
        ('[scanner]\nbaudrate = "fast"\n', 'scanner.baudrate: must be a whole number, got "fast"'),
        ("[scanner]\nbaudrat = 9600\n", "scanner.baudrat: unknown key"),
        ('[scanner]\nusb_vendor = "xyz"\n', "scanner.usb_vendor: must be 4 hex digits"),
        ("[scanner]\nduplicate_window = -1\n", "scanner.duplicate_window: must be at least 0"),
        ("[scanner]\nterminator_timeout = 0\n", "scanner.terminator_timeout: must be more than 0"),
        ('[scaner]\nport = "x"\n', "scaner: unknown key"),
        ("scanner = 3\n", "scanner: must be a table"),
        (
            '[kiosk.patterns]\nslot = "^SLOT:(.+)$"\n',
            "kiosk.patterns.slot: needs the named group (?P<case>...)",
        ),
        (
            '[kiosk.patterns]\nbadge = "(("\n',
            "kiosk.patterns.badge: not a valid regular expression",
        ),
        ('[kiosk.patterns]\ncancel = "CMD:CONFIRM"\n', "kiosk.patterns.cancel: must differ"),
        ("[kiosk]\nidle_timeout = 0\n", "kiosk.idle_timeout: must be more than 0"),
        ('[buttons]\npull_up = "yes"\n', 'buttons.pull_up: must be true or false, got "yes"'),
        ("[database]\nbusy_timeout = true\n", "database.busy_timeout: must be a number"),
        ("[leds\n", "config: not valid TOML"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


def test_missing_file_named_explicitly_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(str(tmp_path / "nope.toml"))


def test_fleet_table():
    from kiosk.config.settings import parse_config

    cfg = parse_config('[fleet]\ndsn = "postgresql://k@central/at"\nkiosk = "ROOM-1"\n').fleet
    assert (cfg.dsn, cfg.kiosk, cfg.interval) == ("postgresql://k@central/at", "ROOM-1", 5.0)
    assert parse_config("").fleet.dsn is None


@pytest.mark.parametrize(
    "text, message",
    [
        ('[fleet]\ndsn = "host=x"\n', "fleet.kiosk: required"),
        ('[fleet]\nkiosk = "ROOM 1"\n', "fleet.kiosk: must be"),
        ("[fleet]\ninterval = 0\n", "fleet.interval: must be more than 0"),
        ("[fleet]\nintervall = 5\n", "fleet.intervall: unknown key"),
    ],
)
def test_fleet_table_refuses(text, message):
    from kiosk.config.settings import parse_config
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_fleet_kiosk_with_a_trailing_line_break_is_refused():
    from kiosk.config.settings import parse_config
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError, match="fleet.kiosk"):
        parse_config('[fleet]\nkiosk = "ROOM-1\\n"\n')
